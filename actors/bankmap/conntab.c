/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conntab.c: the client connections bankmap owns, hashed by connection id,
 * so that every event of a connection costs the same however many others
 * are parked (a client storm must stay cheap). */
#include <stdlib.h>

#include "bankmap.h"

struct conntab {
	struct cl **b;
	size_t nb, n;
};

struct conntab *conntab_new(void)
{
	struct conntab *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->nb = 256;
	t->b = calloc(t->nb, sizeof(*t->b));
	if (!t->b) {
		free(t);
		return NULL;
	}
	return t;
}

static void cl_free(struct cl *c)
{
	free(c->der);
	free(c);
}

void conntab_free(struct conntab **tp)
{
	struct conntab *t = *tp;
	if (!t)
		return;
	for (size_t i = 0; i < t->nb; i++)
		for (struct cl *c = t->b[i], *n; c; c = n) {
			n = c->next;
			cl_free(c);
		}
	free(t->b);
	free(t);
	*tp = NULL;
}

static size_t slot(const struct conntab *t, uint32_t conn)
{
	return (conn * 2654435761u) & (t->nb - 1);
}

struct cl *conntab_get(struct conntab *t, uint32_t conn)
{
	for (struct cl *c = t->b[slot(t, conn)]; c; c = c->next)
		if (c->conn == conn)
			return c;
	return NULL;
}

/* Double the bucket array when the load passes 2 (amortised constant). */
static void grow(struct conntab *t)
{
	size_t nb = t->nb * 2;
	struct cl **b = calloc(nb, sizeof(*b));
	if (!b)
		return;
	struct conntab nt = { b, nb, t->n };
	for (size_t i = 0; i < t->nb; i++)
		for (struct cl *c = t->b[i], *n; c; c = n) {
			n = c->next;
			size_t s = slot(&nt, c->conn);
			c->next = b[s];
			b[s] = c;
		}
	free(t->b);
	t->b = b;
	t->nb = nb;
}

struct cl *conntab_add(struct conntab *t, uint32_t conn)
{
	struct cl *c = conntab_get(t, conn);
	if (c)
		return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->conn = conn;
	if (t->n + 1 > t->nb * 2)
		grow(t);
	size_t s = slot(t, conn);
	c->next = t->b[s];
	t->b[s] = c;
	t->n++;
	return c;
}

void conntab_del(struct conntab *t, uint32_t conn)
{
	for (struct cl **pp = &t->b[slot(t, conn)]; *pp; pp = &(*pp)->next)
		if ((*pp)->conn == conn) {
			struct cl *c = *pp;
			*pp = c->next;
			cl_free(c);
			t->n--;
			return;
		}
}

size_t conntab_count(const struct conntab *t) { return t->n; }

void conntab_each(struct conntab *t, conntab_fn *fn, void *arg)
{
	for (size_t i = 0; i < t->nb; i++)
		for (struct cl *c = t->b[i]; c; c = c->next)
			fn(c, arg);
}
