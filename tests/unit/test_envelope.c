/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_envelope.c: the envelope's encoders and decoder over an inproc
 * DEALER/ROUTER pair (routing id, frame layout, numbers, big WELCOMEs). */
#include <czmq.h>

#include "check.h"
#include "envelope.h"

static zsock_t *router, *dealer;
static void *R, *D;

static void setup(void)
{
	router = zsock_new(ZMQ_ROUTER);
	zsock_set_router_mandatory(router, 1);
	zsock_bind(router, "inproc://env-test");
	dealer = zsock_new(ZMQ_DEALER);
	zsock_set_identity(dealer, "reader/3");
	zsock_connect(dealer, "inproc://env-test");
	R = zsock_resolve(router);
	D = zsock_resolve(dealer);
}

static void test_cmd_names(void)
{
	CHECK_EQ_INT(env_cmd_parse("SEND", 4), ENV_SEND);
	CHECK_EQ_INT(env_cmd_parse("SENDX", 5), ENV_UNKNOWN);
	CHECK_EQ_INT(env_cmd_parse("SEN", 3), ENV_UNKNOWN);
	CHECK_EQ_INT(env_cmd_parse(NULL, 0), ENV_UNKNOWN);
	for (int i = 1; i < ENV__COUNT; i++) {
		const char *n = env_cmd_name((enum env_cmd)i);
		CHECK_EQ_INT(env_cmd_parse(n, strlen(n)), i);
	}
}

static void test_hello_and_send(void)
{
	struct env_msg m;
	env_msg_init(&m);
	CHECK(env_send_hello(D, "reader/3", 4242) == 0);
	CHECK_EQ_INT(env_msg_recv(&m, R, 0), 4);
	char buf[64];
	uint32_t v;
	CHECK(env_frame_str(&m, 0, buf, sizeof(buf)) == 0);
	CHECK_EQ_STR(buf, "reader/3");
	CHECK_EQ_INT(env_msg_cmd(&m, 1), ENV_HELLO);
	CHECK(env_frame_u32(&m, 3, &v) == 0);
	CHECK_EQ_INT(v, 4242);

	static const uint8_t der[] = { 0x30, 0x0a, 0x80, 0x01, 0x02, 0x00, 0xff };
	CHECK(env_send_rspro(D, NULL, ENV_SEND, 7, der, sizeof(der)) == 0);
	CHECK_EQ_INT(env_msg_recv(&m, R, 0), 4);
	size_t len;
	const uint8_t *d = env_frame(&m, 3, &len);
	CHECK_EQ_INT(len, sizeof(der));
	CHECK(d && memcmp(d, der, len) == 0);
	CHECK(env_frame_u32(&m, 2, &v) == 0 && v == 7);
	/* not numbers */
	CHECK(env_frame_u32(&m, 1, &v) < 0);
	CHECK(env_frame_u32(&m, 9, &v) < 0);

	/* ROUTER -> DEALER, and an unknown route */
	CHECK(env_send_down(R, "reader/3", 7, "1.2.3.4:5", "listen:x", "bye") == 0);
	CHECK_EQ_INT(env_msg_recv(&m, D, 0), 5);
	CHECK_EQ_INT(env_msg_cmd(&m, 0), ENV_DOWN);
	CHECK(env_frame_str(&m, 4, buf, sizeof(buf)) == 0);
	CHECK_EQ_STR(buf, "bye");
	CHECK(env_send_rehello(R, "nobody") < 0);
	env_msg_free(&m);
}

static void test_big_welcome(void)
{
	/* more frames than the initial array holds */
	enum { N = 300 };
	struct env_part v[2 + 4 * N];
	char ids[N][12], cnt[12];
	v[0] = (struct env_part){ "WELCOME", 7 };
	v[1] = (struct env_part){ cnt, (size_t)snprintf(cnt, sizeof(cnt), "%d", N) };
	for (int i = 0; i < N; i++) {
		v[2 + 4 * i] = (struct env_part){ ids[i], (size_t)snprintf(ids[i], sizeof(ids[i]), "%d", i + 1) };
		v[3 + 4 * i] = (struct env_part){ "127.0.0.1:1", 11 };
		v[4 + 4 * i] = (struct env_part){ "listen:l", 8 };
		v[5 + 4 * i] = (struct env_part){ "meta-with-more-than-33-octets-so-it-is-a-long-message", 53 };
	}
	CHECK(env_sendv(R, "reader/3", v, 2 + 4 * N) == 0);
	struct env_msg m;
	env_msg_init(&m);
	CHECK_EQ_INT(env_msg_recv(&m, D, 0), 2 + 4 * N);
	uint32_t id;
	CHECK(env_frame_u32(&m, 2 + 4 * (N - 1), &id) == 0 && id == N);
	size_t len;
	const uint8_t *d = env_frame(&m, 5, &len);
	CHECK(len == 53 && d && memcmp(d, "meta-with", 9) == 0);
	env_msg_free(&m);
}

static void test_tell(void)
{
	struct env_msg m;
	env_msg_init(&m);
	char buf[64];
	size_t len;
	CHECK(env_send_tell(D, NULL, ENV_TELL, "reader/1", "{\"op\":\"reset\"}", 14) == 0);
	CHECK_EQ_INT(env_msg_recv(&m, R, 0), 4);
	CHECK_EQ_INT(env_msg_cmd(&m, 1), ENV_TELL);
	CHECK(env_frame_str(&m, 2, buf, sizeof(buf)) == 0);
	CHECK_EQ_STR(buf, "reader/1");
	const uint8_t *d = env_frame(&m, 3, &len);
	CHECK(d && len == 14 && memcmp(d, "{\"op\":\"reset\"}", 14) == 0);
	CHECK(env_send_tell(R, "reader/3", ENV_TOLD, "bankmap", "x", 1) == 0);
	CHECK_EQ_INT(env_msg_recv(&m, D, 0), 3);
	CHECK_EQ_INT(env_msg_cmd(&m, 0), ENV_TOLD);
	CHECK(env_frame_str(&m, 1, buf, sizeof(buf)) == 0);
	CHECK_EQ_STR(buf, "bankmap");
	/* to an unknown route: EHOSTUNREACH, as the broker relies on */
	CHECK(env_send_tell(R, "nobody", ENV_TOLD, "bankmap", "x", 1) < 0);
	env_msg_free(&m);
}

int main(void)
{
	setup();
	RUN(test_cmd_names);
	RUN(test_hello_and_send);
	RUN(test_tell);
	RUN(test_big_welcome);
	zsock_destroy(&dealer);
	zsock_destroy(&router);
	zsys_shutdown();
	return check_summary();
}
