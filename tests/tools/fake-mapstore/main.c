/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fake-mapstore: an in-memory stand-in for the server's mapstore actor, for
 * REST and remsim-ctl tests.  Answers the server commands of docs/control.md
 * on a REP socket (map, unmap, maps, banks, clients, reset, history).
 *
 *   fake-mapstore --bind ENDPOINT [--bank ID:SLOTS[:NAME]]...
 *                 [--client ID:SLOT[:NAME]]... [--map-state STATE]
 *                 [--scramble] [--hang]
 *
 * --bank/--client: canned identified connections for `banks`/`clients`.
 * --map-state: state reported for maps (default NEW).
 * --scramble: emit object keys in reverse order, plus an empty "hwModel" and
 *   an unknown key, to check that consumers normalise the shapes.
 * --hang: read requests but never answer (a silent control socket).
 * Every request is printed on stdout as "REQ <json>". */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

#define MAX_ID	 1023
#define MAX_ENTS 256

struct slot { unsigned id, nr; };
struct map { struct slot client, bank; };
struct peer { unsigned id, n; char name[32]; };

static struct map maps[MAX_ENTS];
static int nmaps;
static struct peer banks[16], clients[16];
static int nbanks, nclients;
static const char *map_state = "NEW";
static int scramble;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* object from alternating key/value pairs (values consumed), reversed with --scramble */
static json_t *obj(int n, const char *const *keys, json_t **vals)
{
	json_t *o = json_object();
	for (int i = 0; i < n; i++) {
		int k = scramble ? n - 1 - i : i;
		json_object_set_new(o, keys[k], vals[k]);
	}
	if (scramble)
		json_object_set_new(o, "xUnknown", json_integer(1));
	return o;
}

static json_t *slotmap_json(const struct map *m)
{
	json_t *b = obj(2, (const char *[]){ "bankId", "slotNr" },
			(json_t *[]){ json_integer(m->bank.id), json_integer(m->bank.nr) });
	json_t *c = obj(2, (const char *[]){ "clientId", "slotNr" },
			(json_t *[]){ json_integer(m->client.id), json_integer(m->client.nr) });
	return obj(3, (const char *[]){ "bank", "client", "state" },
		   (json_t *[]){ b, c, json_string(map_state) });
}

static json_t *component_json(const char *type, const char *name, const char *sw)
{
	json_t *o = obj(4, (const char *[]){ "type_", "name", "software", "swVersion" },
			(json_t *[]){ json_string(type), json_string(name), json_string(sw),
				      json_string("1.1.3") });
	if (scramble)
		json_object_set_new(o, "hwModel", json_string(""));
	return o;
}

static json_t *bank_json(const struct peer *p)
{
	char peer[16];
	snprintf(peer, sizeof(peer), "B%u", p->id);
	return obj(5, (const char *[]){ "peer", "state", "component_id", "bankId", "numberOfSlots" },
		   (json_t *[]){ json_string(peer), json_string("CONNECTED_BANKD"),
				 component_json("remsimBankd", p->name, "remsim-bankd"),
				 json_integer(p->id), json_integer(p->n) });
}

static json_t *client_json(const struct peer *p)
{
	char peer[32];
	snprintf(peer, sizeof(peer), "C%u:%u", p->id, p->n);
	return obj(3, (const char *[]){ "peer", "state", "component_id" },
		   (json_t *[]){ json_string(peer), json_string("CONNECTED_CLIENT"),
				 component_json("remsimClient", p->name, "remsim-client") });
}

static json_t *error(const char *code, const char *fmt, const char *arg)
{
	char msg[256];
	snprintf(msg, sizeof(msg), fmt, arg);
	json_t *r = json_object();
	json_object_set_new(r, "ok", json_false());
	json_object_set_new(r, "error", json_string(msg));
	json_object_set_new(r, "code", json_string(code));
	return r;
}

static json_t *ok(json_t *result)
{
	json_t *r = json_object();
	json_object_set_new(r, "ok", json_true());
	json_object_set_new(r, "result", result);
	return r;
}

/* "[P]ID:NR" where P is the optional prefix letter; 0 ok, -1 malformed, -2 range */
static int parse_slot(const char *s, char prefix, struct slot *out)
{
	if (!s)
		return -1;
	if (*s == prefix)
		s++;
	unsigned long v[2];
	for (int i = 0; i < 2; i++) {
		if (*s < '0' || *s > '9')
			return -1;
		char *end;
		errno = 0;
		v[i] = strtoul(s, &end, 10);
		if (errno)
			v[i] = MAX_ID + 1;
		if (*end != (i ? '\0' : ':'))
			return -1;
		s = end + 1;
	}
	if (v[0] > MAX_ID || v[1] > MAX_ID)
		return -2;
	out->id = (unsigned)v[0];
	out->nr = (unsigned)v[1];
	return 0;
}

static const char *arg(json_t *args, size_t i)
{
	return json_string_value(json_array_get(args, i));
}

static json_t *slot_error(int rc, const char *text)
{
	return rc == -2 ? error("range", "id outside 0..1023: %s", text)
			: error("usage", "not a slot (ID:NR): %s", text ? text : "(none)");
}

static json_t *do_map(json_t *args)
{
	struct map m;
	int rc;
	if (json_array_size(args) != 2)
		return error("usage", "%s", "map needs CLIENT BANK");
	if ((rc = parse_slot(arg(args, 0), 'C', &m.client)))
		return slot_error(rc, arg(args, 0));
	if ((rc = parse_slot(arg(args, 1), 'B', &m.bank)))
		return slot_error(rc, arg(args, 1));
	for (int i = 0; i < nmaps; i++) {
		if (maps[i].bank.id == m.bank.id && maps[i].bank.nr == m.bank.nr)
			return error("conflict", "bank slot %s already mapped", arg(args, 1));
		if (maps[i].client.id == m.client.id && maps[i].client.nr == m.client.nr)
			return error("conflict", "client slot %s already mapped", arg(args, 0));
	}
	if (nmaps == MAX_ENTS)
		return error("internal", "%s", "too many maps");
	maps[nmaps++] = m;
	return ok(slotmap_json(&m));
}

static json_t *do_unmap(json_t *args)
{
	const char *a = arg(args, 0);
	if (json_array_size(args) != 1 || !a)
		return error("usage", "%s", "unmap needs one slot");
	int bank = a[0] == 'B';
	struct slot s;
	int rc = parse_slot(a, bank ? 'B' : 'C', &s);
	if (rc)
		return slot_error(rc, a);
	for (int i = 0; i < nmaps; i++) {
		struct slot *x = bank ? &maps[i].bank : &maps[i].client;
		if (x->id == s.id && x->nr == s.nr) {
			json_t *r = slotmap_json(&maps[i]);
			memmove(&maps[i], &maps[i + 1], (size_t)(nmaps - i - 1) * sizeof(maps[0]));
			nmaps--;
			return ok(r);
		}
	}
	return error("not_found", "no map for %s", a);
}

static json_t *handle(const char *text, size_t len)
{
	json_t *rq = json_loadb(text, len, 0, NULL);
	const char *cmd = json_string_value(json_object_get(rq, "cmd"));
	json_t *args = json_object_get(rq, "args");
	json_t *r;
	if (!cmd)
		r = error("usage", "%s", "request is not {\"cmd\":...}");
	else if (args && !json_is_array(args))
		r = error("usage", "%s", "args must be an array");
	else if (!strcmp(cmd, "map"))
		r = do_map(args);
	else if (!strcmp(cmd, "unmap"))
		r = do_unmap(args);
	else if (!strcmp(cmd, "maps")) {
		json_t *a = json_array();
		for (int i = 0; i < nmaps; i++)
			json_array_append_new(a, slotmap_json(&maps[i]));
		r = ok(a);
	} else if (!strcmp(cmd, "banks")) {
		json_t *a = json_array();
		for (int i = 0; i < nbanks; i++)
			json_array_append_new(a, bank_json(&banks[i]));
		r = ok(a);
	} else if (!strcmp(cmd, "clients")) {
		json_t *a = json_array();
		for (int i = 0; i < nclients; i++)
			json_array_append_new(a, client_json(&clients[i]));
		r = ok(a);
	} else if (!strcmp(cmd, "reset")) {
		json_t *o = json_object();
		json_object_set_new(o, "removed", json_integer(nmaps));
		nmaps = 0;
		r = ok(o);
	} else if (!strcmp(cmd, "history")) {
		r = ok(json_array());
	} else {
		r = error("usage", "unknown command '%s'", cmd);
	}
	json_decref(rq);
	return r;
}

static int add_peer(struct peer *tab, int *n, const char *spec, const char *defname)
{
	struct peer p = { 0 };
	int used = 0;
	if (*n == 16 || sscanf(spec, "%u:%u%n", &p.id, &p.n, &used) != 2)
		return -1;
	snprintf(p.name, sizeof(p.name), "%s", spec[used] == ':' ? spec + used + 1 : defname);
	tab[(*n)++] = p;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "bind", required_argument, NULL, 'b' },
		{ "bank", required_argument, NULL, 'B' },
		{ "client", required_argument, NULL, 'C' },
		{ "map-state", required_argument, NULL, 's' },
		{ "scramble", no_argument, NULL, 'x' },
		{ "hang", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bind = NULL;
	int hang = 0, ch;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'b': bind = optarg; break;
		case 'B':
			if (add_peer(banks, &nbanks, optarg, "bankhost"))
				goto usage;
			break;
		case 'C':
			if (add_peer(clients, &nclients, optarg, "modemhost"))
				goto usage;
			break;
		case 's': map_state = optarg; break;
		case 'x': scramble = 1; break;
		case 'H': hang = 1; break;
		default: goto usage;
		}
	}
	if (!bind)
		goto usage;

	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	umask(077);
	void *ctx = zmq_ctx_new();
	void *s = zmq_socket(ctx, ZMQ_REP);
	int zero = 0, rc = 1;
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	if (zmq_bind(s, bind) < 0) {
		fprintf(stderr, "fake-mapstore: cannot bind %s: %s\n", bind, zmq_strerror(zmq_errno()));
		goto out;
	}
	printf("READY %s\n", bind);
	fflush(stdout);
	while (!stop) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, s, 0) < 0) {
			zmq_msg_close(&m);
			continue;	/* EINTR: check stop */
		}
		printf("REQ %.*s\n", (int)zmq_msg_size(&m), (const char *)zmq_msg_data(&m));
		fflush(stdout);
		if (hang) {
			zmq_msg_close(&m);
			while (!stop)
				pause();
			break;
		}
		json_t *r = handle(zmq_msg_data(&m), zmq_msg_size(&m));
		zmq_msg_close(&m);
		char *text = json_dumps(r, JSON_COMPACT);
		json_decref(r);
		if (text)
			zmq_send(s, text, strlen(text), 0);
		free(text);
	}
	rc = 0;
out:
	zmq_close(s);
	zmq_ctx_term(ctx);
	return rc;
usage:
	fprintf(stderr, "usage: fake-mapstore --bind ENDPOINT [--bank ID:SLOTS[:NAME]]...\n"
			"       [--client ID:SLOT[:NAME]]... [--map-state STATE] [--scramble] [--hang]\n");
	return 2;
}
