/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_st2sim_model.c: the pure parts of st2sim's firmware and board model
 * (tests/tools/st2sim/inep.c, board.c) and the simulator CLAIM codec of
 * common/st2/st2_simsock.c: one message per posted IN transfer, the host's
 * turn-around, the queue depth with drop-oldest, and the device selection
 * check. */
#include "check.h"
#include "../tools/st2sim/inep.c"
#include "../tools/st2sim/board.c"

static uint8_t sent_tags[64];
static uint8_t sent_types[64];
static int nsent;

static void rec_send(uint8_t tag, const uint8_t *msg, size_t len)
{
	(void)len;
	sent_tags[nsent] = tag;
	sent_types[nsent++] = msg[1];
}

static void put_type(struct inep *e, uint8_t type, double now, int want_drop)
{
	uint8_t m[8] = { 1, type, 0, 0, 0, 0, 8, 0 };
	CHECK_EQ_INT(inep_put(e, m, sizeof(m), now, rec_send), want_drop);
}

static void test_one_message_per_transfer(void)
{
	struct inep e;
	nsent = 0;
	inep_init(&e, 0x85, 3, 1.0);
	put_type(&e, 7, 0, 0);                 /* no transfer posted: waits */
	CHECK_EQ_INT(nsent, 0);
	inep_post(&e, 0);                      /* posted before the first message: usable at once */
	inep_post(&e, 0);
	inep_flush(&e, 0, rec_send);
	CHECK_EQ_INT(nsent, 1);
	put_type(&e, 6, 0, 0);                 /* the second posted transfer */
	CHECK_EQ_INT(nsent, 2);
	put_type(&e, 6, 0, 0);                 /* none left: waits */
	CHECK_EQ_INT(nsent, 2);
	inep_post(&e, 10);                     /* re-posted: usable after the turn-around */
	CHECK(inep_next_ms(&e, 10) > 0.9);
	inep_flush(&e, 10.5, rec_send);
	CHECK_EQ_INT(nsent, 2);
	inep_flush(&e, 11, rec_send);
	CHECK_EQ_INT(nsent, 3);
	CHECK_EQ_INT(e.sent, 3);
	CHECK_EQ_INT(e.dropped, 0);
}

static void test_drop_oldest(void)
{
	struct inep e;
	nsent = 0;
	inep_init(&e, 0x85, 3, 1.0);
	for (uint8_t t = 1; t <= 5; t++)
		put_type(&e, t, 0, t >= 4);       /* the 4th and 5th push out the oldest */
	CHECK_EQ_INT(e.dropped, 2);
	CHECK_EQ_INT(e.last_drop, 0x0102);
	CHECK_EQ_INT(e.max_waiting, 3);
	for (int i = 0; i < 3; i++)
		inep_post(&e, 0);
	inep_flush(&e, 0, rec_send);
	CHECK_EQ_INT(nsent, 3);
	CHECK(sent_types[0] == 3 && sent_types[1] == 4 && sent_types[2] == 5);
}

static void test_depth_zero(void)
{
	struct inep e;
	nsent = 0;
	inep_init(&e, 0x86, 0, 1.0);
	inep_post(&e, 0);
	put_type(&e, 7, 0, 0);                 /* the PTS uses the one transfer */
	put_type(&e, 6, 0, 1);                 /* the header has nowhere to wait */
	CHECK_EQ_INT(e.last_drop, 0x0106);
	CHECK_EQ_INT(nsent, 1);
	CHECK_EQ_INT(sent_tags[0], 0x86);
	CHECK_EQ_INT((long long)inep_next_ms(&e, 0), -1);
}

static void test_claim_codec(void)
{
	struct st2_usb_sel sel;
	st2_usb_sel_default(&sel);
	sel.pid = 0x4004;
	sel.interface = 3;
	sel.address = 7;
	sel.path = "2-1.1";
	uint8_t b[100];
	int n = st2_sim_claim_enc(&sel, b, sizeof(b));
	CHECK_EQ_INT(n, 14 + 5);
	struct st2_sim_claim c;
	CHECK_EQ_INT(st2_sim_claim_dec(b, (size_t)n, &c), 0);
	CHECK_EQ_INT(c.vid, 0x1d50);
	CHECK_EQ_INT(c.pid, 0x4004);
	CHECK_EQ_INT(c.config, 1);
	CHECK_EQ_INT(c.interface, 3);
	CHECK_EQ_INT(c.altsetting, 0);
	CHECK_EQ_INT(c.bus, -1);
	CHECK_EQ_INT(c.address, 7);
	CHECK_EQ_STR(c.path, "2-1.1");
	CHECK_EQ_INT(st2_sim_claim_dec(b, 13, &c), -1);
}

static void test_board_check(void)
{
	struct board_at at = { .b = board_find("qmod4"), .bus = 1, .address = 2, .path = "1-1" };
	struct st2_sim_claim c = { .vid = 0x1d50, .pid = 0, .config = 1, .interface = 3, .altsetting = 0,
				   .bus = -1, .address = -1, .path = "" };
	char why[200];
	CHECK(at.b != NULL);
	CHECK_EQ_INT(board_check(&at, &c, why, sizeof(why)), ST2_SIM_CLAIM_OK);
	c.interface = 4;
	CHECK_EQ_INT(board_check(&at, &c, why, sizeof(why)), ST2_SIM_CLAIM_NOTFOUND);
	CHECK(strstr(why, "interfaces 0..3") != NULL);
	c.interface = 0;
	c.config = 2;
	CHECK_EQ_INT(board_check(&at, &c, why, sizeof(why)), ST2_SIM_CLAIM_NOTFOUND);
	c.config = -1;
	c.pid = 0x60e3;
	CHECK_EQ_INT(board_check(&at, &c, why, sizeof(why)), ST2_SIM_CLAIM_NODEV);
	c.pid = 0x4004;
	snprintf(c.path, sizeof(c.path), "1-2");
	CHECK_EQ_INT(board_check(&at, &c, why, sizeof(why)), ST2_SIM_CLAIM_NODEV);
	c.path[0] = '\0';
	c.address = 2;
	CHECK_EQ_INT(board_check(&at, &c, why, sizeof(why)), ST2_SIM_CLAIM_OK);
	CHECK(board_find("nonesuch") == NULL);
	CHECK(!board_find("simtrace2")->card_insert && board_find("ngff")->card_insert);
}

int main(void)
{
	RUN(test_one_message_per_transfer);
	RUN(test_drop_oldest);
	RUN(test_depth_zero);
	RUN(test_claim_codec);
	RUN(test_board_check);
	return check_summary();
}
