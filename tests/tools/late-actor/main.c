/* SPDX-License-Identifier: GPL-2.0-or-later */
/* late-actor: an actor that connects to the broker's hub at once but says
 * HELLO only when told to (a file appears), for the window in which a
 * restarted actor is connected and has not said hello yet.  Then it echoes
 * RSPRO PDUs like echo-actor.  Log lines (stderr) the tests wait for:
 *   "connected: not saying hello until FILE exists"
 *   "before WELCOME: CMD (thrown away, as an actor does)"
 *   "welcome: generation G, N connection(s)"
 *   "recv conn ID: N octets (echoed)"
 *
 *   late-actor --hub EP --name NAME --go FILE [--pdus N] [--timeout-ms MS]
 * Exits 0 after echoing N PDUs (default 1), 1 on timeout (default 10 s). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "envelope.h"
#include "hubsock.h"
#include "log.h"
#include "monotime.h"

struct late {
	struct hubsock *hs;
	const char *go;
	int connected, helloed, welcomed;
	long echoed, want;
};

static void on_event(struct hubsock *hs, enum hubsock_event ev, const char *route, void *arg)
{
	(void)hs;
	(void)route;
	struct late *l = arg;
	if (ev == HUBSOCK_EV_CONNECTED) {
		l->connected = 1;
		LOGI(NULL, "connected: not saying hello until %s exists", l->go);
	}
}

static void handle(struct late *l, struct env_msg *m)
{
	enum env_cmd cmd = env_msg_cmd(m, 0);
	if (!l->welcomed) {
		if (cmd != ENV_WELCOME) {
			LOGI(NULL, "before WELCOME: %s (thrown away, as an actor does)", env_cmd_name(cmd));
			return;
		}
		uint32_t gen = 0, count = 0;
		env_frame_u32(m, 1, &gen);
		env_frame_u32(m, 2, &count);
		l->welcomed = 1;
		LOGI(NULL, "welcome: generation %u, %u connection(s)", gen, count);
		return;
	}
	if (cmd != ENV_RECV)
		return;
	uint32_t conn;
	size_t len;
	const uint8_t *der = env_frame(m, 2, &len);
	if (env_frame_u32(m, 1, &conn) || !der)
		return;
	if (env_send_rspro(l->hs, NULL, ENV_SEND, conn, der, len) == 0)
		l->echoed++;
	LOGI(NULL, "recv conn %u: %zu octets (echoed)", conn, len);
}

int main(int argc, char **argv)
{
	const char *hub = NULL, *name = NULL, *go = NULL;
	long want = 1, timeout = 10000;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--hub"))
			hub = argv[i + 1];
		else if (!strcmp(argv[i], "--name"))
			name = argv[i + 1];
		else if (!strcmp(argv[i], "--go"))
			go = argv[i + 1];
		else if (!strcmp(argv[i], "--pdus"))
			want = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--timeout-ms"))
			timeout = atol(argv[i + 1]);
	}
	if (!hub || !name || !go || want < 1 || timeout < 1) {
		fprintf(stderr, "usage: late-actor --hub EP --name NAME --go FILE [--pdus N] [--timeout-ms MS]\n");
		return 2;
	}
	log_init(name);
	char err[256];
	struct hubsock_opts o = { .identity = name, .reconnect_ms = 25, .linger_ms = 500 };
	struct late l = { .go = go, .want = want };
	l.hs = hubsock_connect(hub, &o, err, sizeof(err));
	if (!l.hs) {
		LOGE(NULL, "%s", err);
		return 1;
	}
	env_hub_use(l.hs);
	hubsock_set_event_fn(l.hs, on_event, &l);
	struct env_msg m;
	env_msg_init(&m);
	int64_t end = mono_ms() + timeout;
	int rc = 1;
	while (mono_ms() < end) {
		while (env_msg_recv(&m, l.hs, 0) > 0)
			handle(&l, &m);
		if (l.echoed >= l.want) {
			rc = 0;
			break;
		}
		if (l.connected && !l.helloed && access(go, F_OK) == 0) {
			if (env_send_hello(l.hs, name, getpid()) == 0) {
				l.helloed = 1;
				LOGI(NULL, "HELLO sent");
			}
		}
		hubsock_wait(l.hs, 10);
	}
	if (rc)
		LOGE(NULL, "timed out: %ld of %ld PDUs echoed", l.echoed, l.want);
	env_msg_free(&m);
	env_hub_drop(l.hs);
	hubsock_close(&l.hs);
	return rc;
}
