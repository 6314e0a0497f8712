/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zreq: send one frame on a ZeroMQ REQ socket and print the one-frame reply
 * (a test tool for the broker's control socket; the frame is sent as given,
 * so malformed JSON can be tested too).
 *   zreq [-t TIMEOUT_MS] ENDPOINT TEXT
 *   zreq -d ROUTING_ID ENDPOINT FRAME...   (DEALER: send one multipart
 *                                            message, no reply expected)
 * Exit: 0 reply printed, 1 usage/socket error, 3 no reply within the timeout. */
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	int timeout = 5000, i = 1;
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: zreq [-t TIMEOUT_MS] ENDPOINT TEXT\n"
		       "Sends TEXT as one frame on a REQ socket, prints the reply frame.\n"
		       "       zreq -d ROUTING_ID ENDPOINT FRAME...\n"
		       "  (a DEALER with that routing id sends FRAMEs as one message, e.g. a\n"
		       "   supervisor EVENT; no reply is expected)\n"
		       "Exit 0: reply printed; 1: error; 3: no reply within TIMEOUT_MS (default 5000).\n");
		return 0;
	}
	if (argc > 4 && !strcmp(argv[1], "-d")) {
		zsys_init();
		zsock_t *d = zsock_new(ZMQ_DEALER);
		zsock_set_identity(d, argv[2]);
		zsock_set_linger(d, 2000);
		int ok = d && zsock_connect(d, "%s", argv[3]) == 0;
		zmsg_t *m = zmsg_new();
		for (int k = 4; k < argc; k++)
			zmsg_addstr(m, argv[k]);
		ok = ok && zmsg_send(&m, d) == 0;
		zmsg_destroy(&m);
		zclock_sleep(100);
		zsock_destroy(&d);
		zsys_shutdown();
		return ok ? 0 : 1;
	}
	if (argc > 2 && !strcmp(argv[1], "-t")) {
		timeout = atoi(argv[2]);
		i = 3;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: zreq [-t TIMEOUT_MS] ENDPOINT TEXT\n");
		return 1;
	}
	zsys_init();
	zsys_set_linger(0);
	zsock_t *s = zsock_new(ZMQ_REQ);
	int rc = 1;
	if (!s || zsock_connect(s, "%s", argv[i]) < 0) {
		fprintf(stderr, "zreq: cannot connect to %s\n", argv[i]);
		goto out;
	}
	zsock_set_rcvtimeo(s, timeout);
	if (zstr_send(s, argv[i + 1]) < 0) {
		fprintf(stderr, "zreq: send failed\n");
		goto out;
	}
	char *rep = zstr_recv(s);
	if (!rep) {
		fprintf(stderr, "zreq: no reply within %d ms\n", timeout);
		rc = 3;
		goto out;
	}
	printf("%s\n", rep);
	zstr_free(&rep);
	rc = 0;
out:
	zsock_destroy(&s);
	zsys_shutdown();
	return rc;
}
