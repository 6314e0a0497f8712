/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conntab.c: the mapstore's connections, indexed by conn id (all of them),
 * by client slot (identified clients) and by bank id (identified bankds). */
#include <stdlib.h>

#include "mapstore.h"

#define ID_BUCKETS	4096	/* power of two */
#define CL_BUCKETS	4096
#define BANK_IDS	65536	/* bankId is kept as 16 bit */

struct conntab {
	struct sconn *by_id[ID_BUCKETS];
	struct sconn *by_client[CL_BUCKETS];
	struct sconn **by_bank;	/* BANK_IDS entries */
	size_t n;
};

static unsigned cl_hash(struct sm_slot s)
{
	return ((unsigned)s.id * 131u + s.nr) & (CL_BUCKETS - 1);
}

struct conntab *ct_new(void)
{
	struct conntab *t = calloc(1, sizeof(*t));
	if (t && !(t->by_bank = calloc(BANK_IDS, sizeof(*t->by_bank)))) {
		free(t);
		t = NULL;
	}
	return t;
}

void ct_free(struct conntab **tp)
{
	struct conntab *t = *tp;
	if (!t)
		return;
	for (size_t i = 0; i < ID_BUCKETS; i++)
		while (t->by_id[i]) {
			struct sconn *c = t->by_id[i];
			t->by_id[i] = c->next_id;
			free(c);
		}
	free(t->by_bank);
	free(t);
	*tp = NULL;
}

struct sconn *ct_get(const struct conntab *t, uint32_t id)
{
	for (struct sconn *c = t->by_id[id & (ID_BUCKETS - 1)]; c; c = c->next_id)
		if (c->id == id)
			return c;
	return NULL;
}

struct sconn *ct_add(struct conntab *t, uint32_t id)
{
	struct sconn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->id = id;
	c->next_id = t->by_id[id & (ID_BUCKETS - 1)];
	t->by_id[id & (ID_BUCKETS - 1)] = c;
	t->n++;
	return c;
}

static void unindex_client(struct conntab *t, struct sconn *c)
{
	for (struct sconn **p = &t->by_client[cl_hash(c->client)]; *p; p = &(*p)->next_client)
		if (*p == c) {
			*p = c->next_client;
			return;
		}
}

void ct_del(struct conntab *t, uint32_t id)
{
	for (struct sconn **p = &t->by_id[id & (ID_BUCKETS - 1)]; *p; p = &(*p)->next_id) {
		struct sconn *c = *p;
		if (c->id != id)
			continue;
		*p = c->next_id;
		if (c->st == SC_CONNECTED_CLIENT)
			unindex_client(t, c);
		if (c->st == SC_CONNECTED_BANKD && t->by_bank[c->bank_id] == c)
			t->by_bank[c->bank_id] = NULL;
		free(c);
		t->n--;
		return;
	}
}

void ct_index_client(struct conntab *t, struct sconn *c)
{
	unsigned h = cl_hash(c->client);
	c->next_client = t->by_client[h];
	t->by_client[h] = c;
}

void ct_index_bank(struct conntab *t, struct sconn *c)
{
	t->by_bank[c->bank_id] = c;
}

struct sconn *ct_client(const struct conntab *t, struct sm_slot s)
{
	for (struct sconn *c = t->by_client[cl_hash(s)]; c; c = c->next_client)
		if (c->client.id == s.id && c->client.nr == s.nr)
			return c;
	return NULL;
}

struct sconn *ct_bank(const struct conntab *t, uint16_t bank_id)
{
	return t->by_bank[bank_id];
}

static int by_conn_id(const void *a, const void *b)
{
	uint32_t x = (*(struct sconn *const *)a)->id, y = (*(struct sconn *const *)b)->id;
	return x < y ? -1 : x > y;
}

size_t ct_list(const struct conntab *t, enum sc_state st, struct sconn ***out)
{
	*out = NULL;
	if (!t->n || !(*out = malloc(t->n * sizeof(**out))))
		return 0;
	size_t n = 0;
	for (size_t i = 0; i < ID_BUCKETS; i++)
		for (struct sconn *c = t->by_id[i]; c; c = c->next_id)
			if (c->st == st)
				(*out)[n++] = c;
	qsort(*out, n, sizeof(**out), by_conn_id);
	return n;
}

size_t ct_count(const struct conntab *t)
{
	return t->n;
}
