/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rest_group.c: group commit of POST /slotmaps.  libmicrohttpd runs one
 * thread per connection; a `map` costs one fsync in the mapstore (its
 * promise: once the answer is 201, a restart keeps the map).  Requests that
 * arrive while another one is being stored wait, and then go together as ONE
 * control request {"cmd":"map","args":[C1,B1,...],"each":true}: one
 * transaction, one fsync, one answer per pair.  The first waiting thread
 * carries the group (leader); the others sleep until their answer is there.
 * A request alone goes as a plain `map`, exactly as before. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest.h"

struct item {
	const char *client, *bank;
	int status;		/* 0 ok, else HTTP status */
	json_t *result;
	char err[160];
	int done;
	struct item *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct item *queue, **queue_tail = &queue;
static int busy;		/* a leader is storing a group */

/* The answer for one pair of an "each" reply. */
static void take_answer(struct item *it, const json_t *rep)
{
	if (json_is_true(json_object_get(rep, "ok"))) {
		json_t *r = json_object_get(rep, "result");
		it->result = r ? json_incref(r) : json_null();
		return;
	}
	const char *code = json_string_value(json_object_get(rep, "code"));
	const char *why = json_string_value(json_object_get(rep, "error"));
	it->status = rest_ctl_status_for_code(code);
	snprintf(it->err, sizeof(it->err), "map: %s (%s)", why ? why : "failed", code ? code : "no code");
}

/* Store one group (without the lock); fills status/result/err of each. */
static void store_group(struct rest_ctl *c, struct item *group)
{
	size_t n = 0, i = 0;
	for (struct item *it = group; it; it = it->next)
		n++;
	if (n == 1) {
		const char *args[] = { group->client, group->bank };
		group->status = rest_ctl_call(c, "map", args, 2, &group->result, group->err,
					      sizeof(group->err));
		return;
	}
	const char **args = calloc(2 * n, sizeof(*args));
	json_t *res = NULL;
	char err[160] = "out of memory";
	int st = 500;
	if (args) {
		for (struct item *it = group; it; it = it->next) {
			args[i++] = it->client;
			args[i++] = it->bank;
		}
		st = rest_ctl_call_flag(c, "map", args, 2 * n, "each", &res, err, sizeof(err));
		free(args);
	}
	if (!st && json_array_size(res) != n) {
		st = 500;
		snprintf(err, sizeof(err), "map: reply to a group of %zu has %zu answers", n,
			 json_array_size(res));
	}
	i = 0;
	for (struct item *it = group; it; it = it->next, i++) {
		if (st) {
			it->status = st;
			snprintf(it->err, sizeof(it->err), "%s", err);
		} else {
			take_answer(it, json_array_get(res, i));
		}
	}
	json_decref(res);
}

int rest_group_map(struct rest_ctl *c, const char *client, const char *bank, json_t **result,
		   char *err, size_t errlen)
{
	struct item me = { .client = client, .bank = bank };
	pthread_mutex_lock(&mu);
	*queue_tail = &me;
	queue_tail = &me.next;
	while (!me.done) {
		if (busy) {
			pthread_cond_wait(&cv, &mu);
			continue;
		}
		busy = 1;	/* lead: take everything queued so far */
		struct item *group = queue;
		queue = NULL;
		queue_tail = &queue;
		pthread_mutex_unlock(&mu);
		store_group(c, group);
		pthread_mutex_lock(&mu);
		for (struct item *it = group; it; it = it->next)
			it->done = 1;
		busy = 0;
		pthread_cond_broadcast(&cv);
	}
	pthread_mutex_unlock(&mu);
	*result = me.result;
	if (me.status)
		snprintf(err, errlen, "%s", me.err);
	return me.status;
}
