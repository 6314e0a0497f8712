/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_slotmap.c: the slotmap state machine table and the table driver:
 * every (state, event) cell, ranges, conflicts, FIFO response matching,
 * bankd loss/return, client configuration, reset and restart recovery. */
#include <stdlib.h>

#include "check.h"
#include "log.h"
#include "slotmap.h"

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))
static const uint32_t BANK_IP = IP(10, 0, 0, 2);

static struct sm_slot S(uint16_t id, uint16_t nr)
{
	return (struct sm_slot){ id, nr };
}

static size_t count_type(const struct sm_actions *a, enum sm_action_type type)
{
	size_t k = 0;
	for (size_t i = 0; i < a->n; i++)
		k += a->v[i].type == type;
	return k;
}

/* index of the k-th action of a type, or -1 */
static int find_type(const struct sm_actions *a, enum sm_action_type type, size_t k)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].type == type && k-- == 0)
			return (int)i;
	return -1;
}

static int find_hist(const struct sm_actions *a, enum sm_hist h)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].type == SM_ACT_HISTORY && a->v[i].hist == h)
			return (int)i;
	return -1;
}

static enum sm_state state_of(struct slotmap_table *t, uint64_t id)
{
	const struct sm_map *m = slotmap_get(t, id);
	return m ? m->state : SM_GONE;
}

/* ------------------------------------------------------------------------ */
/* 1. the table itself, cell by cell, against an independent expectation */

#define D  SM_A_DB_PUT
#define X  SM_A_DB_DEL
#define H  SM_A_HIST
#define SC SM_A_SEND_CREATE
#define SR SM_A_SEND_REMOVE
#define U  SM_A_UPDATE_CLIENT
#define INV SM_A_INVALID

struct cell { enum sm_state next; unsigned acts; enum sm_hist hist; };

/* expected[state][event]; a zero cell means invalid (next = same state) */
static const struct cell expected[SM_STATE__NUM][SM_EV__NUM] = {
	[SM_NONE] = { [SM_EV_CREATE] = { SM_NEW, D | H, SM_H_CREATED } },
	[SM_NEW] = {
		[SM_EV_PUSH] = { SM_UNACK, D | H | SC, SM_H_PUSHED },
		[SM_EV_DELETE] = { SM_GONE, X | H | U, SM_H_DELETED },
		[SM_EV_RESET] = { SM_GONE, X | H | U, SM_H_RESET },
		[SM_EV_BANK_LOST] = { SM_NEW, 0, 0 },
		[SM_EV_BANK_BACK] = { SM_NEW, 0, 0 },
		[SM_EV_RESTORE] = { SM_NEW, H, SM_H_RESTORED },
	},
	[SM_NEW_SENT] = {
		[SM_EV_PUSH] = { SM_UNACK, D | H | SC, SM_H_PUSHED },
		[SM_EV_DELETE] = { SM_GONE, X | H | U, SM_H_DELETED },
		[SM_EV_RESET] = { SM_GONE, X | H | U, SM_H_RESET },
		[SM_EV_BANK_LOST] = { SM_NEW_SENT, 0, 0 },
		[SM_EV_BANK_BACK] = { SM_NEW_SENT, H, SM_H_BANK_BACK },
		[SM_EV_RESTORE] = { SM_NEW_SENT, H, SM_H_RESTORED },
	},
	[SM_UNACK] = {
		[SM_EV_CREATE_OK] = { SM_ACTIVE, D | H | U, SM_H_ACKNOWLEDGED },
		[SM_EV_CREATE_ERR] = { SM_REFUSED, D | H, SM_H_REFUSED },
		[SM_EV_DELETE] = { SM_UNACK_DEL, D | H, SM_H_DELETE_REQUESTED },
		[SM_EV_RESET] = { SM_UNACK_DEL, D | H, SM_H_RESET },
		[SM_EV_BANK_LOST] = { SM_NEW_SENT, D | H, SM_H_BANK_LOST },
		[SM_EV_RESTORE] = { SM_NEW_SENT, D | H, SM_H_RESTORED },
	},
	[SM_ACTIVE] = {
		[SM_EV_DELETE] = { SM_DELETE_REQ, D | H, SM_H_DELETE_REQUESTED },
		[SM_EV_RESET] = { SM_DELETE_REQ, D | H, SM_H_RESET },
		[SM_EV_BANK_LOST] = { SM_NEW_SENT, D | H, SM_H_BANK_LOST },
		[SM_EV_RESTORE] = { SM_NEW_SENT, D | H, SM_H_RESTORED },
	},
	[SM_REFUSED] = {
		[SM_EV_PUSH] = { SM_REFUSED, 0, 0 },
		[SM_EV_DELETE] = { SM_DELETE_REQ, D | H, SM_H_DELETE_REQUESTED },
		[SM_EV_RESET] = { SM_GONE, X | H | U, SM_H_RESET },
		[SM_EV_BANK_LOST] = { SM_NEW_SENT, D | H, SM_H_BANK_LOST },
	},
	[SM_UNACK_DEL] = {
		[SM_EV_CREATE_OK] = { SM_DELETING, D | H | SR, SM_H_REMOVING },
		[SM_EV_CREATE_ERR] = { SM_DELETING, D | H | SR, SM_H_REMOVING },
		[SM_EV_BANK_LOST] = { SM_GONE, X | H | U, SM_H_DELETED },
	},
	[SM_DELETE_REQ] = {
		[SM_EV_PUSH] = { SM_DELETING, D | H | SR, SM_H_REMOVING },
		[SM_EV_RESET] = { SM_GONE, X | H | U, SM_H_RESET },
		[SM_EV_BANK_LOST] = { SM_GONE, X | H | U, SM_H_DELETED },
		[SM_EV_BANK_BACK] = { SM_DELETE_REQ, H, SM_H_BANK_BACK },
		[SM_EV_RESTORE] = { SM_DELETE_REQ, H, SM_H_RESTORED },
	},
	[SM_DELETING] = {
		[SM_EV_REMOVE_RES] = { SM_GONE, X | H | U, SM_H_DELETED },
		[SM_EV_BANK_LOST] = { SM_GONE, X | H | U, SM_H_DELETED },
		[SM_EV_RESTORE] = { SM_DELETE_REQ, D | H, SM_H_RESTORED },
	},
};

static void test_table_cells(void)
{
	for (int s = 0; s < SM_STATE__NUM; s++)
		for (int e = 0; e < SM_EV__NUM; e++) {
			const struct cell *want = &expected[s][e];
			const struct sm_transition *tr = sm_transition((enum sm_state)s, (enum sm_event)e);
			CHECK(tr != NULL);
			if (!tr)
				continue;
			bool invalid = want->next == SM_NONE && want->acts == 0;
			if (invalid) {
				if (tr->acts != INV || tr->next != (enum sm_state)s)
					fprintf(stderr, "  cell %s x %s should be invalid\n",
						sm_state_name(s), sm_event_name(e));
				CHECK_EQ_INT(tr->acts, INV);
				CHECK_EQ_INT(tr->next, s);
			} else {
				if (tr->next != want->next || tr->acts != want->acts || tr->hist != want->hist)
					fprintf(stderr, "  cell %s x %s differs\n", sm_state_name(s),
						sm_event_name(e));
				CHECK_EQ_INT(tr->next, want->next);
				CHECK_EQ_INT(tr->acts, want->acts);
				CHECK_EQ_INT(tr->hist, want->hist);
			}
		}
	CHECK(sm_transition(SM_STATE__NUM, SM_EV_PUSH) == NULL);
	CHECK(sm_transition(SM_NEW, SM_EV__NUM) == NULL);
}

/* ------------------------------------------------------------------------ */
/* 2. every cell through the driver, starting from a map really in that state */

static const struct sm_slot C1 = { 3, 0 }, B1 = { 1, 5 };

/* Build a table holding one map (C3:0 <-> B1:5) in `want`.  Returns its id,
 * 0 if `want` cannot be reached for a real map (NONE, GONE). */
static uint64_t reach(struct slotmap_table *t, enum sm_state want)
{
	struct sm_actions a;
	sm_actions_init(&a);
	uint64_t id = 0;
	switch (want) {
	case SM_NEW:
		slotmap_create(t, C1, B1, SM_ACTOR_CTL, &a, &id);
		break;
	case SM_NEW_SENT:
		slotmap_bank_up(t, B1.id, BANK_IP, SM_BANKD_PORT, &a);
		slotmap_create(t, C1, B1, SM_ACTOR_CTL, &a, &id);
		slotmap_bank_down(t, B1.id, &a);
		break;
	case SM_UNACK:
		slotmap_bank_up(t, B1.id, BANK_IP, SM_BANKD_PORT, &a);
		slotmap_create(t, C1, B1, SM_ACTOR_CTL, &a, &id);
		break;
	case SM_ACTIVE:
		slotmap_bank_up(t, B1.id, BANK_IP, SM_BANKD_PORT, &a);
		slotmap_create(t, C1, B1, SM_ACTOR_CTL, &a, &id);
		slotmap_create_res(t, B1.id, 0, &a);
		break;
	case SM_REFUSED:
		slotmap_bank_up(t, B1.id, BANK_IP, SM_BANKD_PORT, &a);
		slotmap_create(t, C1, B1, SM_ACTOR_CTL, &a, &id);
		slotmap_create_res(t, B1.id, 3, &a);
		break;
	case SM_UNACK_DEL:
		slotmap_bank_up(t, B1.id, BANK_IP, SM_BANKD_PORT, &a);
		slotmap_create(t, C1, B1, SM_ACTOR_CTL, &a, &id);
		slotmap_delete_bank(t, B1, SM_ACTOR_REST, &a);
		break;
	case SM_DELETE_REQ:	/* only a stored pending removal, before its bankd is back */
		id = 7;
		slotmap_restore(t, id, C1, B1, "DELETE_REQ", 1, &a);
		break;
	case SM_DELETING:
		slotmap_bank_up(t, B1.id, BANK_IP, SM_BANKD_PORT, &a);
		slotmap_create(t, C1, B1, SM_ACTOR_CTL, &a, &id);
		slotmap_create_res(t, B1.id, 0, &a);
		slotmap_delete_bank(t, B1, SM_ACTOR_REST, &a);
		break;
	default:
		break;
	}
	sm_actions_free(&a);
	if (id && state_of(t, id) != want) {
		fprintf(stderr, "  could not reach %s (got %s)\n", sm_state_name(want),
			sm_state_name(state_of(t, id)));
		return 0;
	}
	return id;
}

static void test_reach_every_state(void)
{
	for (int s = SM_NEW; s <= SM_DELETING; s++) {
		struct slotmap_table *t = slotmap_new();
		CHECK(reach(t, (enum sm_state)s) != 0);
		slotmap_free(t);
	}
}

static void test_every_cell_through_driver(void)
{
	for (int s = SM_NEW; s <= SM_DELETING; s++)
		for (int e = 0; e < SM_EV__NUM; e++) {
			struct slotmap_table *t = slotmap_new();
			uint64_t id = reach(t, (enum sm_state)s);
			CHECK(id != 0);
			struct sm_actions a;
			sm_actions_init(&a);
			int result = (e == SM_EV_CREATE_ERR) ? 3 : (e == SM_EV_CREATE_OK || e == SM_EV_REMOVE_RES) ? 0 : -1;
			int rc = slotmap_event(t, id, (enum sm_event)e, SM_ACTOR_CTL, result, &a);
			const struct cell *want = &expected[s][e];
			bool invalid = want->next == SM_NONE && want->acts == 0;
			char where[64];
			snprintf(where, sizeof(where), "%s x %s", sm_state_name(s), sm_event_name(e));
			int failed_before = check_failed_now;
			check_failed_now = 0;
			if (invalid) {
				CHECK_EQ_INT(rc, SM_ERR_INVALID_EVENT);
				CHECK_EQ_INT(a.n, 0);
				CHECK_EQ_INT(state_of(t, id), s);
			} else if (want->acts == 0) {           /* deliberate no-op */
				CHECK_EQ_INT(rc, SM_OK);
				CHECK_EQ_INT(a.n, 0);
				CHECK_EQ_INT(state_of(t, id), s);
			} else {
				CHECK_EQ_INT(rc, SM_OK);
				enum sm_state next = want->next;
				/* the driver pushes a pushable result when the bankd is up */
				bool up = slotmap_bank_is_up(t, B1.id);
				if (up && (next == SM_NEW || next == SM_NEW_SENT))
					next = SM_UNACK;
				else if (up && next == SM_DELETE_REQ)
					next = SM_DELETING;
				CHECK_EQ_INT(state_of(t, id), next);
				CHECK_EQ_INT(count_type(&a, SM_ACT_DB_PUT) > 0, (want->acts & D) || next != want->next);
				CHECK_EQ_INT(count_type(&a, SM_ACT_DB_DEL), (want->acts & X) ? 1 : 0);
				CHECK(find_hist(&a, want->hist) >= 0);
				CHECK_EQ_INT(count_type(&a, SM_ACT_SEND_CREATE),
					     (want->acts & SC) || next == SM_UNACK ? 1 : 0);
				CHECK_EQ_INT(count_type(&a, SM_ACT_SEND_REMOVE),
					     (want->acts & SR) || next == SM_DELETING ? 1 : 0);
				/* no client is connected in these setups */
				CHECK_EQ_INT(count_type(&a, SM_ACT_CONFIG_CLIENT), 0);
				/* the first history record is this cell's, with its actor */
				int h = find_type(&a, SM_ACT_HISTORY, 0);
				CHECK(h >= 0 && a.v[h].hist == want->hist && a.v[h].actor == SM_ACTOR_CTL);
			}
			if (check_failed_now)
				fprintf(stderr, "  ^ in cell %s\n", where);
			check_failed_now |= failed_before;
			sm_actions_free(&a);
			slotmap_free(t);
		}
}

static void test_invalid_event_changes_nothing(void)
{
	struct slotmap_table *t = slotmap_new();
	uint64_t id = reach(t, SM_ACTIVE);
	struct sm_actions a;
	sm_actions_init(&a);
	CHECK_EQ_INT(slotmap_event(t, id, SM_EV_CREATE_OK, SM_ACTOR_BANKD, 0, &a), SM_ERR_INVALID_EVENT);
	CHECK_EQ_INT(slotmap_event(t, id, SM_EV_PUSH, SM_ACTOR_BANKD, -1, &a), SM_ERR_INVALID_EVENT);
	CHECK_EQ_INT(slotmap_event(t, id, SM_EV_CREATE, SM_ACTOR_CTL, -1, &a), SM_ERR_INVALID_EVENT);
	CHECK_EQ_INT(a.n, 0);
	CHECK_EQ_INT(state_of(t, id), SM_ACTIVE);
	CHECK_EQ_INT(slotmap_event(t, 999, SM_EV_DELETE, SM_ACTOR_CTL, -1, &a), SM_ERR_NOT_FOUND);
	sm_actions_free(&a);
	slotmap_free(t);
}

/* ------------------------------------------------------------------------ */
/* 3. operator operations */

static void test_ranges(void)
{
	struct slotmap_table *t = slotmap_new();
	struct sm_actions a;
	sm_actions_init(&a);
	CHECK_EQ_INT(slotmap_create(t, S(1024, 0), S(0, 0), SM_ACTOR_REST, &a, NULL), SM_ERR_RANGE);
	CHECK_EQ_INT(slotmap_create(t, S(0, 1024), S(0, 0), SM_ACTOR_REST, &a, NULL), SM_ERR_RANGE);
	CHECK_EQ_INT(slotmap_create(t, S(0, 0), S(1024, 0), SM_ACTOR_REST, &a, NULL), SM_ERR_RANGE);
	CHECK_EQ_INT(slotmap_create(t, S(0, 0), S(0, 1024), SM_ACTOR_REST, &a, NULL), SM_ERR_RANGE);
	/* the peer-test values of server.md 7.3 and 16-bit wrap values */
	CHECK_EQ_INT(slotmap_create(t, S(3000, 0), S(10000, 2000), SM_ACTOR_REST, &a, NULL), SM_ERR_RANGE);
	CHECK_EQ_INT(slotmap_create(t, S(0, 4000), S(0, 0), SM_ACTOR_REST, &a, NULL), SM_ERR_RANGE);
	CHECK_EQ_INT(slotmap_create(t, S(65535, 0), S(0, 0), SM_ACTOR_REST, &a, NULL), SM_ERR_RANGE);
	CHECK_EQ_INT(a.n, 0);
	CHECK_EQ_INT(slotmap_count(t, true), 0);
	uint64_t id = 0;
	CHECK_EQ_INT(slotmap_create(t, S(1023, 1023), S(1023, 1023), SM_ACTOR_REST, &a, &id), SM_OK);
	CHECK(id == 1);
	CHECK_EQ_INT(slotmap_create(t, S(0, 0), S(0, 0), SM_ACTOR_REST, &a, &id), SM_OK);
	CHECK(id == 2);
	CHECK_EQ_INT(slotmap_count(t, false), 2);
	sm_actions_free(&a);
	slotmap_free(t);
}

static void test_create_actions_bank_down_and_up(void)
{
	struct slotmap_table *t = slotmap_new();
	struct sm_actions a;
	sm_actions_init(&a);
	uint64_t id;
	/* bankd absent: stored and recorded, nothing sent */
	CHECK_EQ_INT(slotmap_create(t, S(3, 0), S(1, 5), SM_ACTOR_CTL, &a, &id), SM_OK);
	CHECK_EQ_INT(a.n, 2);
	CHECK_EQ_INT(a.v[0].type, SM_ACT_DB_PUT);
	CHECK_EQ_INT(a.v[0].state, SM_NEW);
	CHECK_EQ_INT(a.v[1].type, SM_ACT_HISTORY);
	CHECK_EQ_INT(a.v[1].hist, SM_H_CREATED);
	CHECK_EQ_INT(a.v[1].actor, SM_ACTOR_CTL);
	CHECK_EQ_STR(sm_state_rest_name(slotmap_get(t, id)->state), "NEW");
	sm_actions_clear(&a);
	/* bankd present: CreateMappingReq in the same action list */
	CHECK_EQ_INT(slotmap_bank_up(t, 2, BANK_IP, SM_BANKD_PORT, &a), SM_OK);
	CHECK_EQ_INT(a.n, 0);
	CHECK_EQ_INT(slotmap_create(t, S(4, 0), S(2, 0), SM_ACTOR_REST, &a, &id), SM_OK);
	int c = find_type(&a, SM_ACT_SEND_CREATE, 0);
	CHECK(c >= 0);
	CHECK(find_hist(&a, SM_H_CREATED) < c);
	CHECK_EQ_INT(a.v[c].bank.id, 2);
	CHECK_EQ_INT(a.v[c].client.id, 4);
	CHECK(find_hist(&a, SM_H_PUSHED) >= 0);
	CHECK_EQ_INT(a.v[find_hist(&a, SM_H_PUSHED)].actor, SM_ACTOR_REST);
	CHECK_EQ_STR(sm_state_rest_name(slotmap_get(t, id)->state), "UNACKNOWLEDGED");
	sm_actions_free(&a);
	slotmap_free(t);
}

static void test_conflicts(void)
{
	struct slotmap_table *t = slotmap_new();
	struct sm_actions a;
	sm_actions_init(&a);
	CHECK_EQ_INT(slotmap_create(t, S(3, 0), S(1, 5), SM_ACTOR_CTL, &a, NULL), SM_OK);
	CHECK_EQ_INT(slotmap_create(t, S(3, 0), S(1, 5), SM_ACTOR_CTL, &a, NULL), SM_ERR_SAME);
	CHECK_EQ_INT(slotmap_create(t, S(4, 0), S(1, 5), SM_ACTOR_CTL, &a, NULL), SM_ERR_BANK_IN_USE);
	CHECK_EQ_INT(slotmap_create(t, S(3, 0), S(1, 6), SM_ACTOR_CTL, &a, NULL), SM_ERR_CLIENT_IN_USE);
	/* different slot numbers of the same ids are fine */
	CHECK_EQ_INT(slotmap_create(t, S(3, 1), S(1, 6), SM_ACTOR_CTL, &a, NULL), SM_OK);
	CHECK_EQ_INT(slotmap_count(t, false), 2);
	CHECK(slotmap_find_bank(t, S(1, 6)) == slotmap_find_client(t, S(3, 1)));
	CHECK(slotmap_find_bank(t, S(1, 7)) == NULL);
	CHECK(strcmp(sm_strerror(SM_ERR_BANK_IN_USE), "bank slot already mapped") == 0);
	/* delete by bank slot (REST) and by client slot (ctl unmap) */
	CHECK_EQ_INT(slotmap_delete_bank(t, S(1, 7), SM_ACTOR_REST, &a), SM_ERR_NOT_FOUND);
	CHECK_EQ_INT(slotmap_delete_client(t, S(9, 9), SM_ACTOR_CTL, &a), SM_ERR_NOT_FOUND);
	CHECK_EQ_INT(slotmap_delete_bank(t, S(1, 5), SM_ACTOR_REST, &a), SM_OK);
	CHECK_EQ_INT(slotmap_delete_client(t, S(3, 1), SM_ACTOR_CTL, &a), SM_OK);
	CHECK_EQ_INT(slotmap_count(t, true), 0);
	sm_actions_free(&a);
	slotmap_free(t);
}

/* server.md 5.2: a map being deleted is no longer in the table; a new map
 * for the same slots may be created at once. */
static void test_recreate_while_deleting(void)
{
	struct slotmap_table *t = slotmap_new();
	uint64_t old = reach(t, SM_DELETING);
	struct sm_actions a;
	sm_actions_init(&a);
	CHECK_EQ_INT(slotmap_count(t, false), 0);
	CHECK_EQ_INT(slotmap_count(t, true), 1);
	CHECK(slotmap_find_bank(t, B1) == NULL);
	CHECK_EQ_INT(slotmap_delete_bank(t, B1, SM_ACTOR_REST, &a), SM_ERR_NOT_FOUND);
	uint64_t id;
	CHECK_EQ_INT(slotmap_create(t, C1, B1, SM_ACTOR_REST, &a, &id), SM_OK);
	CHECK(id != old);
	CHECK_EQ_INT(state_of(t, id), SM_UNACK);
	/* bankd answers the remove first (FIFO per queue), then the create */
	sm_actions_clear(&a);
	CHECK_EQ_INT(slotmap_remove_res(t, B1.id, 0, &a), SM_OK);
	CHECK_EQ_INT(state_of(t, old), SM_GONE);
	CHECK_EQ_INT(slotmap_create_res(t, B1.id, 0, &a), SM_OK);
	CHECK_EQ_INT(state_of(t, id), SM_ACTIVE);
	CHECK_EQ_INT(slotmap_count(t, true), 1);
	sm_actions_free(&a);
	slotmap_free(t);
}

/* ------------------------------------------------------------------------ */
/* 4. responses */

static void test_fifo_matching(void)
{
	struct slotmap_table *t = slotmap_new();
	struct sm_actions a;
	sm_actions_init(&a);
	uint64_t id[3], other;
	slotmap_bank_up(t, 1, BANK_IP, SM_BANKD_PORT, &a);
	slotmap_bank_up(t, 2, BANK_IP + 1, SM_BANKD_PORT, &a);
	CHECK_EQ_INT(slotmap_create(t, S(3, 0), S(1, 7), SM_ACTOR_CTL, &a, &id[0]), SM_OK);
	CHECK_EQ_INT(slotmap_create(t, S(5, 0), S(2, 0), SM_ACTOR_CTL, &a, &other), SM_OK);
	CHECK_EQ_INT(slotmap_create(t, S(3, 1), S(1, 1), SM_ACTOR_CTL, &a, &id[1]), SM_OK);
	CHECK_EQ_INT(slotmap_create(t, S(3, 2), S(1, 3), SM_ACTOR_CTL, &a, &id[2]), SM_OK);
	sm_actions_clear(&a);
	/* responses go to the oldest request of *that* bank */
	CHECK_EQ_INT(slotmap_create_res(t, 1, 0, &a), SM_OK);
	CHECK_EQ_INT(state_of(t, id[0]), SM_ACTIVE);
	CHECK_EQ_INT(state_of(t, other), SM_UNACK);
	CHECK_EQ_INT(slotmap_create_res(t, 1, 3 /* illegalSlotId */, &a), SM_OK);
	CHECK_EQ_INT(state_of(t, id[1]), SM_REFUSED);
	int h = find_hist(&a, SM_H_REFUSED);
	CHECK(h >= 0 && a.v[h].result == 3 && a.v[h].actor == SM_ACTOR_BANKD);
	CHECK_EQ_STR(sm_state_rest_name(SM_REFUSED), "NEW");
	CHECK_EQ_INT(slotmap_create_res(t, 1, 0, &a), SM_OK);
	CHECK_EQ_INT(state_of(t, id[2]), SM_ACTIVE);
	/* unsolicited: nothing pending, unknown bank: logged, nothing changes */
	sm_actions_clear(&a);
	CHECK_EQ_INT(slotmap_create_res(t, 1, 0, &a), SM_ERR_UNSOLICITED);
	CHECK_EQ_INT(slotmap_remove_res(t, 1, 0, &a), SM_ERR_UNSOLICITED);
	CHECK_EQ_INT(slotmap_create_res(t, 9, 0, &a), SM_ERR_UNSOLICITED);
	CHECK_EQ_INT(slotmap_remove_res(t, 9, 0, &a), SM_ERR_UNSOLICITED);
	CHECK_EQ_INT(a.n, 0);
	CHECK_EQ_INT(state_of(t, id[0]), SM_ACTIVE);
	/* a refused map is parked: later pushes to the bank don't retry it */
	CHECK_EQ_INT(slotmap_create(t, S(3, 3), S(1, 4), SM_ACTOR_CTL, &a, NULL), SM_OK);
	CHECK_EQ_INT(count_type(&a, SM_ACT_SEND_CREATE), 1);
	CHECK_EQ_INT(a.v[find_type(&a, SM_ACT_SEND_CREATE, 0)].bank.nr, 4);
	CHECK_EQ_INT(state_of(t, id[1]), SM_REFUSED);
	/* ... until the bankd reconnects */
	sm_actions_clear(&a);
	slotmap_bank_down(t, 1, &a);
	CHECK_EQ_INT(state_of(t, id[1]), SM_NEW_SENT);
	slotmap_bank_up(t, 1, BANK_IP, SM_BANKD_PORT, &a);
	CHECK_EQ_INT(state_of(t, id[1]), SM_UNACK);
	sm_actions_free(&a);
	slotmap_free(t);
}

static void test_compat_error_activates(void)
{
	struct slotmap_table *t = slotmap_new();
	slotmap_set_create_error_activates(t, true);
	uint64_t id = reach(t, SM_UNACK);
	struct sm_actions a;
	sm_actions_init(&a);
	CHECK_EQ_INT(slotmap_create_res(t, B1.id, 3, &a), SM_OK);
	CHECK_EQ_INT(state_of(t, id), SM_ACTIVE);
	int h = find_hist(&a, SM_H_ACKNOWLEDGED);
	CHECK(h >= 0 && a.v[h].result == 3);
	sm_actions_free(&a);
	slotmap_free(t);
}

/* server.md 5.2 quirk, recommended fix: deleting an unacknowledged map
 * ends with a RemoveMappingReq, never with a hidden ACTIVE map. */
static void test_delete_unacknowledged(void)
{
	struct slotmap_table *t = slotmap_new();
	uint64_t id = reach(t, SM_UNACK);
	struct sm_actions a;
	sm_actions_init(&a);
	CHECK_EQ_INT(slotmap_delete_bank(t, B1, SM_ACTOR_REST, &a), SM_OK);
	CHECK_EQ_INT(slotmap_count(t, false), 0);           /* gone from REST at once */
	CHECK_EQ_INT(count_type(&a, SM_ACT_SEND_REMOVE), 0);  /* not yet */
	CHECK_EQ_INT(a.v[find_type(&a, SM_ACT_DB_PUT, 0)].state, SM_UNACK_DEL);
	CHECK_EQ_STR(sm_state_rest_name(SM_UNACK_DEL), "DELETE_REQ");
	sm_actions_clear(&a);
	CHECK_EQ_INT(slotmap_create_res(t, B1.id, 0, &a), SM_OK);
	CHECK_EQ_INT(state_of(t, id), SM_DELETING);
	int r = find_type(&a, SM_ACT_SEND_REMOVE, 0);
	CHECK(r >= 0 && a.v[r].client.id == C1.id && a.v[r].bank.nr == B1.nr);
	CHECK_EQ_INT(count_type(&a, SM_ACT_CONFIG_CLIENT), 0);
	sm_actions_clear(&a);
	CHECK_EQ_INT(slotmap_remove_res(t, B1.id, 0, &a), SM_OK);
	CHECK_EQ_INT(slotmap_count(t, true), 0);
	CHECK(find_type(&a, SM_ACT_DB_DEL, 0) >= 0);
	CHECK(find_hist(&a, SM_H_DELETED) >= 0);
	sm_actions_free(&a);
	slotmap_free(t);
}

/* ------------------------------------------------------------------------ */
/* 5. bankd loss and return */

static void test_bank_lost_and_back(void)
{
	struct slotmap_table *t = slotmap_new();
	struct sm_actions a;
	sm_actions_init(&a);
	uint64_t never, unack, active, deleting, delreq_src, other_bank;
	CHECK_EQ_INT(slotmap_bank_up(t, 1, BANK_IP, SM_BANKD_PORT, &a), SM_OK);
	slotmap_bank_up(t, 2, BANK_IP + 1, SM_BANKD_PORT, &a);
	slotmap_create(t, S(1, 0), S(1, 0), SM_ACTOR_CTL, &a, &active);
	slotmap_create(t, S(2, 0), S(1, 1), SM_ACTOR_CTL, &a, &deleting);
	slotmap_create(t, S(3, 0), S(1, 2), SM_ACTOR_CTL, &a, &delreq_src);
	slotmap_create(t, S(4, 0), S(1, 3), SM_ACTOR_CTL, &a, &unack);
	slotmap_create(t, S(5, 0), S(2, 0), SM_ACTOR_CTL, &a, &other_bank);
	slotmap_create_res(t, 1, 0, &a);
	slotmap_create_res(t, 1, 0, &a);
	slotmap_create_res(t, 1, 0, &a);
	slotmap_delete_bank(t, S(1, 1), SM_ACTOR_REST, &a);  /* -> DELETING */
	CHECK_EQ_INT(state_of(t, deleting), SM_DELETING);
	sm_actions_clear(&a);

	CHECK_EQ_INT(slotmap_bank_down(t, 1, &a), SM_OK);
	CHECK(!slotmap_bank_is_up(t, 1));
	CHECK_EQ_INT(slotmap_bank_down(t, 1, &a), SM_ERR_NOT_FOUND);
	CHECK_EQ_INT(state_of(t, active), SM_NEW_SENT);
	CHECK_EQ_INT(state_of(t, unack), SM_NEW_SENT);
	CHECK_EQ_INT(state_of(t, deleting), SM_GONE);	/* its bankd forgot it: deleted */
	CHECK_EQ_INT(state_of(t, other_bank), SM_UNACK);    /* other banks untouched */
	CHECK_EQ_INT(count_type(&a, SM_ACT_HISTORY), 4);
	CHECK_EQ_INT(a.v[find_type(&a, SM_ACT_HISTORY, 0)].hist, SM_H_BANK_LOST);
	CHECK_EQ_INT(a.v[find_type(&a, SM_ACT_HISTORY, 0)].actor, SM_ACTOR_BANKD);
	CHECK(find_hist(&a, SM_H_DELETED) >= 0);
	CHECK_EQ_INT(count_type(&a, SM_ACT_SEND_CREATE) + count_type(&a, SM_ACT_SEND_REMOVE), 0);
	/* clients of the lost bank are not told (5.5); the deleted map's client is */
	CHECK_EQ_INT(count_type(&a, SM_ACT_CONFIG_CLIENT), 0);
	/* still visible to the operator as NEW */
	CHECK_EQ_INT(slotmap_count(t, false), 4);
	CHECK_EQ_STR(sm_state_rest_name(state_of(t, active)), "NEW");

	/* while the bankd is away: create one, delete one (gone at once) */
	slotmap_create(t, S(6, 0), S(1, 9), SM_ACTOR_CTL, &a, &never);
	slotmap_delete_bank(t, S(1, 2), SM_ACTOR_CTL, &a);
	CHECK_EQ_INT(state_of(t, delreq_src), SM_GONE);
	sm_actions_clear(&a);

	/* bankd back: bank_back records, then creates (FIFO), no removes at all */
	CHECK_EQ_INT(slotmap_bank_up(t, 1, IP(10, 0, 0, 9), SM_BANKD_PORT, &a), SM_OK);
	CHECK_EQ_INT(count_type(&a, SM_ACT_SEND_CREATE), 3);
	CHECK_EQ_INT(count_type(&a, SM_ACT_SEND_REMOVE), 0);
	int c0 = find_type(&a, SM_ACT_SEND_CREATE, 0), c1 = find_type(&a, SM_ACT_SEND_CREATE, 1),
	    c2 = find_type(&a, SM_ACT_SEND_CREATE, 2);
	CHECK(a.v[c0].map_id == active && a.v[c1].map_id == unack && a.v[c2].map_id == never);
	CHECK(find_hist(&a, SM_H_BANK_BACK) >= 0 && find_hist(&a, SM_H_BANK_BACK) < c0);
	/* never-sent NEW map gets no bank_back record, only pushed */
	for (size_t i = 0; i < a.n; i++)
		if (a.v[i].map_id == never && a.v[i].type == SM_ACT_HISTORY)
			CHECK_EQ_INT(a.v[i].hist, SM_H_PUSHED);
	CHECK_EQ_INT(slotmap_count(t, true), 4);
	sm_actions_free(&a);
	slotmap_free(t);
}

/* a second bank_up for a bank that is up acts as a reconnect */
static void test_bank_up_twice(void)
{
	struct slotmap_table *t = slotmap_new();
	uint64_t id = reach(t, SM_ACTIVE);
	struct sm_actions a;
	sm_actions_init(&a);
	CHECK_EQ_INT(slotmap_bank_up(t, B1.id, BANK_IP, SM_BANKD_PORT, &a), SM_OK);
	CHECK(find_hist(&a, SM_H_BANK_LOST) >= 0);
	CHECK_EQ_INT(count_type(&a, SM_ACT_SEND_CREATE), 1);
	CHECK_EQ_INT(state_of(t, id), SM_UNACK);
	sm_actions_free(&a);
	slotmap_free(t);
}

/* ------------------------------------------------------------------------ */
/* 6. client configuration (server.md 5.5) */

static int last_config(const struct sm_actions *a, uint32_t *ip, uint16_t *port, struct sm_slot *bank)
{
	int i = -1;
	for (size_t k = 0; k < a->n; k++)
		if (a->v[k].type == SM_ACT_CONFIG_CLIENT)
			i = (int)k;
	if (i >= 0) {
		*ip = a->v[i].ipv4;
		*port = a->v[i].port;
		*bank = a->v[i].bank;
	}
	return i;
}

static void test_client_config(void)
{
	struct slotmap_table *t = slotmap_new();
	struct sm_actions a;
	sm_actions_init(&a);
	uint32_t ip = 0;
	uint16_t port = 0;
	struct sm_slot bank = { 0, 0 };

	/* client connects without a map: nothing */
	CHECK_EQ_INT(slotmap_client_up(t, C1, &a), SM_OK);
	CHECK_EQ_INT(a.n, 0);
	/* map created, bankd up, ack: client told bankd ip:9999 */
	slotmap_bank_up(t, B1.id, BANK_IP, SM_BANKD_PORT, &a);
	slotmap_create(t, C1, B1, SM_ACTOR_REST, &a, NULL);
	CHECK_EQ_INT(count_type(&a, SM_ACT_CONFIG_CLIENT), 0);  /* not before the ack */
	sm_actions_clear(&a);
	slotmap_create_res(t, B1.id, 0, &a);
	CHECK(last_config(&a, &ip, &port, &bank) >= 0);
	CHECK_EQ_INT(ip, BANK_IP);
	CHECK_EQ_INT(port, 9999);
	CHECK(bank.id == B1.id && bank.nr == B1.nr);
	int h = find_hist(&a, SM_H_ACTIVATED);
	CHECK(h >= 0 && a.v[h].ipv4 == BANK_IP && a.v[h].actor == SM_ACTOR_BANKD);
	/* client reconnects: told again (last-sent starts from zero) */
	sm_actions_clear(&a);
	slotmap_client_down(t, C1);
	CHECK_EQ_INT(slotmap_client_up(t, C1, &a), SM_OK);
	CHECK_EQ_INT(count_type(&a, SM_ACT_CONFIG_CLIENT), 1);
	CHECK_EQ_INT(a.v[find_hist(&a, SM_H_ACTIVATED)].actor, SM_ACTOR_CLIENT);
	/* bankd loss/return: clients are not told; the re-ack changes nothing */
	sm_actions_clear(&a);
	slotmap_bank_down(t, B1.id, &a);
	slotmap_bank_up(t, B1.id, BANK_IP, SM_BANKD_PORT, &a);
	slotmap_create_res(t, B1.id, 0, &a);
	CHECK_EQ_INT(count_type(&a, SM_ACT_CONFIG_CLIENT), 0);
	/* delete: after RemoveMappingRes the client gets 0.0.0.0:0 */
	sm_actions_clear(&a);
	slotmap_delete_client(t, C1, SM_ACTOR_CTL, &a);
	CHECK_EQ_INT(count_type(&a, SM_ACT_CONFIG_CLIENT), 0);
	sm_actions_clear(&a);
	slotmap_remove_res(t, B1.id, 0, &a);
	CHECK(last_config(&a, &ip, &port, &bank) >= 0);
	CHECK_EQ_INT(ip, 0);
	CHECK_EQ_INT(port, 0);
	CHECK(bank.id == B1.id && bank.nr == B1.nr);
	h = find_hist(&a, SM_H_RELEASED);
	CHECK(h >= 0 && a.v[h].state == SM_GONE);
	sm_actions_free(&a);
	slotmap_free(t);
}

static void test_client_config_new_map(void)
{
	struct slotmap_table *t = slotmap_new();
	struct sm_actions a;
	sm_actions_init(&a);
	uint32_t ip;
	uint16_t port;
	struct sm_slot bank;
	/* NEW map, no bankd: {bank, 0.0.0.0, 0} only if bank != B0:0 */
	slotmap_create(t, S(3, 0), S(0, 0), SM_ACTOR_REST, &a, NULL);
	slotmap_create(t, S(4, 0), S(1, 5), SM_ACTOR_REST, &a, NULL);
	sm_actions_clear(&a);
	slotmap_client_up(t, S(3, 0), &a);
	CHECK_EQ_INT(a.n, 0);
	slotmap_client_up(t, S(4, 0), &a);
	CHECK(last_config(&a, &ip, &port, &bank) >= 0);
	CHECK(ip == 0 && port == 0 && bank.id == 1 && bank.nr == 5);
	CHECK_EQ_INT(count_type(&a, SM_ACT_HISTORY), 0);  /* no activated/released */
	/* UNACK map with the bankd up: the address is sent at client connect */
	sm_actions_clear(&a);
	slotmap_bank_up(t, 1, BANK_IP, SM_BANKD_PORT, &a);
	slotmap_client_down(t, S(4, 0));
	sm_actions_clear(&a);
	slotmap_client_up(t, S(4, 0), &a);
	CHECK(last_config(&a, &ip, &port, &bank) >= 0);
	CHECK_EQ_INT(ip, BANK_IP);
	/* the ack then changes nothing */
	sm_actions_clear(&a);
	slotmap_create_res(t, 1, 0, &a);
	CHECK_EQ_INT(count_type(&a, SM_ACT_CONFIG_CLIENT), 0);
	/* deleting a never-sent NEW map whose client was told nothing */
	sm_actions_clear(&a);
	slotmap_delete_client(t, S(3, 0), SM_ACTOR_CTL, &a);
	CHECK_EQ_INT(count_type(&a, SM_ACT_CONFIG_CLIENT), 0);
	sm_actions_free(&a);
	slotmap_free(t);
}

/* the client got a new map on another bankd before the old map's removal was
 * confirmed: the late RemoveMappingRes must not send it 0.0.0.0:0 */
static void test_client_moved_before_remove_res(void)
{
	struct slotmap_table *t = slotmap_new();
	uint64_t old = reach(t, SM_ACTIVE);
	struct sm_actions a;
	sm_actions_init(&a);
	uint32_t ip;
	uint16_t port;
	struct sm_slot bank;
	slotmap_client_up(t, C1, &a);
	slotmap_bank_up(t, 2, IP(10, 0, 0, 3), SM_BANKD_PORT, &a);
	slotmap_delete_client(t, C1, SM_ACTOR_CTL, &a);
	CHECK_EQ_INT(state_of(t, old), SM_DELETING);
	slotmap_create(t, C1, S(2, 0), SM_ACTOR_CTL, &a, NULL);
	slotmap_create_res(t, 2, 0, &a);
	sm_actions_clear(&a);
	slotmap_remove_res(t, B1.id, 0, &a);
	CHECK_EQ_INT(state_of(t, old), SM_GONE);
	CHECK_EQ_INT(count_type(&a, SM_ACT_CONFIG_CLIENT), 0);
	/* and the client was configured for the new bankd before */
	slotmap_client_down(t, C1);
	sm_actions_clear(&a);
	slotmap_client_up(t, C1, &a);
	CHECK(last_config(&a, &ip, &port, &bank) >= 0);
	CHECK(ip == IP(10, 0, 0, 3) && bank.id == 2);
	sm_actions_free(&a);
	slotmap_free(t);
}

/* ------------------------------------------------------------------------ */
/* 7. reset */

static void test_reset(void)
{
	struct slotmap_table *t = slotmap_new();
	struct sm_actions a;
	sm_actions_init(&a);
	uint64_t n, u, act, del;
	slotmap_bank_up(t, 1, BANK_IP, SM_BANKD_PORT, &a);
	slotmap_create(t, S(1, 0), S(1, 0), SM_ACTOR_CTL, &a, &act);
	slotmap_create(t, S(2, 0), S(1, 1), SM_ACTOR_CTL, &a, &u);
	slotmap_create(t, S(4, 0), S(1, 2), SM_ACTOR_CTL, &a, &del);
	slotmap_create_res(t, 1, 0, &a);   /* act ACTIVE */
	slotmap_create(t, S(3, 0), S(7, 0), SM_ACTOR_CTL, &a, &n);   /* bankd 7 absent: NEW */
	slotmap_create_res(t, 1, 0, &a);   /* u ACTIVE ... */
	slotmap_delete_bank(t, S(1, 1), SM_ACTOR_REST, &a);          /* ... DELETING */
	CHECK_EQ_INT(state_of(t, u), SM_DELETING);
	sm_actions_clear(&a);
	/* visible: act (ACTIVE), del (UNACK), n (NEW) */
	CHECK_EQ_INT(slotmap_reset(t, SM_ACTOR_REST, &a), 3);
	CHECK_EQ_INT(slotmap_count(t, false), 0);
	CHECK_EQ_INT(state_of(t, n), SM_GONE);
	CHECK_EQ_INT(state_of(t, act), SM_DELETING);
	CHECK_EQ_INT(state_of(t, del), SM_UNACK_DEL);
	CHECK_EQ_INT(state_of(t, u), SM_DELETING);
	CHECK_EQ_INT(count_type(&a, SM_ACT_SEND_REMOVE), 1);
	size_t resets = 0;
	for (size_t i = 0; i < a.n; i++)
		if (a.v[i].type == SM_ACT_HISTORY && a.v[i].hist == SM_H_RESET) {
			resets++;
			CHECK_EQ_INT(a.v[i].actor, SM_ACTOR_REST);
		}
	CHECK_EQ_INT(resets, 3);
	/* empty reset */
	sm_actions_clear(&a);
	CHECK_EQ_INT(slotmap_reset(t, SM_ACTOR_CTL, &a), 0);
	CHECK_EQ_INT(a.n, 0);
	sm_actions_free(&a);
	slotmap_free(t);
}

/* reset with nothing connected: maps waiting for their bankd and pending
 * removals are gone at once (counted, recorded); the bankd gets nothing later */
static void test_reset_pending(void)
{
	struct slotmap_table *t = slotmap_new();
	struct sm_actions a;
	sm_actions_init(&a);
	CHECK_EQ_INT(slotmap_restore(t, 1, S(1, 0), S(1, 0), "ACTIVE", 1, &a), SM_OK);
	CHECK_EQ_INT(slotmap_restore(t, 2, S(2, 0), S(1, 1), "DELETE_REQ", 1, &a), SM_OK);
	CHECK_EQ_INT(state_of(t, 1), SM_NEW_SENT);
	sm_actions_clear(&a);
	CHECK_EQ_INT(slotmap_reset(t, SM_ACTOR_REST, &a), 2);
	CHECK_EQ_INT(state_of(t, 1), SM_GONE);
	CHECK_EQ_INT(state_of(t, 2), SM_GONE);
	CHECK_EQ_INT(slotmap_count(t, true), 0);
	CHECK_EQ_INT(count_type(&a, SM_ACT_DB_DEL), 2);
	CHECK(find_hist(&a, SM_H_RESET) >= 0);
	CHECK_EQ_INT(count_type(&a, SM_ACT_SEND_CREATE) + count_type(&a, SM_ACT_SEND_REMOVE), 0);
	sm_actions_clear(&a);
	slotmap_bank_up(t, 1, BANK_IP, SM_BANKD_PORT, &a);
	CHECK_EQ_INT(count_type(&a, SM_ACT_SEND_CREATE) + count_type(&a, SM_ACT_SEND_REMOVE), 0);
	sm_actions_free(&a);
	slotmap_free(t);
}

/* ------------------------------------------------------------------------ */
/* 8. restart recovery */

static void test_restore(void)
{
	struct slotmap_table *t = slotmap_new();
	struct sm_actions a;
	sm_actions_init(&a);
	CHECK_EQ_INT(slotmap_restore(t, 5, S(1, 0), S(1, 0), "ACTIVE", 1, &a), SM_OK);
	CHECK_EQ_INT(slotmap_restore(t, 2, S(2, 0), S(1, 1), "UNACKNOWLEDGED", 1, &a), SM_OK);
	CHECK_EQ_INT(slotmap_restore(t, 3, S(3, 0), S(1, 2), "NEW", 0, &a), SM_OK);
	CHECK_EQ_INT(slotmap_restore(t, 4, S(4, 0), S(1, 3), "NEW", 1, &a), SM_OK);
	CHECK_EQ_INT(slotmap_restore(t, 6, S(5, 0), S(1, 4), "DELETING", 1, &a), SM_OK);
	CHECK_EQ_INT(slotmap_restore(t, 7, S(5, 0), S(1, 4), "DELETE_REQ", 1, &a), SM_OK);
	/* bad rows are skipped */
	CHECK_EQ_INT(slotmap_restore(t, 8, S(9, 0), S(9, 0), "BOGUS", 0, &a), SM_ERR_BAD_STATE);
	CHECK_EQ_INT(slotmap_restore(t, 9, S(9, 0), S(9, 2000), "NEW", 0, &a), SM_ERR_RANGE);
	CHECK_EQ_INT(slotmap_restore(t, 5, S(9, 0), S(9, 0), "NEW", 0, &a), SM_ERR_BAD_STATE);
	CHECK_EQ_INT(slotmap_restore(t, 10, S(1, 0), S(9, 0), "NEW", 0, &a), SM_ERR_CLIENT_IN_USE);
	CHECK_EQ_INT(slotmap_restore(t, 11, S(9, 0), S(1, 0), "ACTIVE", 0, &a), SM_ERR_BANK_IN_USE);

	CHECK_EQ_INT(state_of(t, 5), SM_NEW_SENT);
	CHECK_EQ_INT(state_of(t, 2), SM_NEW_SENT);
	CHECK_EQ_INT(state_of(t, 3), SM_NEW);
	CHECK_EQ_INT(state_of(t, 4), SM_NEW_SENT);
	CHECK_EQ_INT(state_of(t, 6), SM_DELETE_REQ);
	CHECK_EQ_INT(state_of(t, 7), SM_DELETE_REQ);
	CHECK_EQ_INT(count_type(&a, SM_ACT_HISTORY), 6);
	CHECK_EQ_INT(count_type(&a, SM_ACT_SEND_CREATE) + count_type(&a, SM_ACT_SEND_REMOVE), 0);
	for (size_t i = 0; i < a.n; i++)
		if (a.v[i].type == SM_ACT_HISTORY) {
			CHECK_EQ_INT(a.v[i].hist, SM_H_RESTORED);
			CHECK_EQ_INT(a.v[i].actor, SM_ACTOR_STARTUP);
		}
	/* ACTIVE/UNACK rows are rewritten as NEW (on_bank) */
	CHECK_EQ_INT(count_type(&a, SM_ACT_DB_PUT), 3);
	/* kept in id order; next id continues after the highest */
	CHECK_EQ_INT(slotmap_at(t, 0, true)->id, 2);
	CHECK_EQ_INT(slotmap_at(t, 5, true)->id, 7);
	uint64_t id;
	slotmap_create(t, S(8, 0), S(8, 0), SM_ACTOR_CTL, &a, &id);
	CHECK_EQ_INT(id, 8);
	/* visible ones are all NEW to the operator */
	CHECK_EQ_INT(slotmap_count(t, false), 5);
	for (size_t i = 0; i < slotmap_count(t, false); i++)
		CHECK_EQ_STR(sm_state_rest_name(slotmap_at(t, i, false)->state), "NEW");
	/* bankd returns: everything re-pushed, deletes too */
	sm_actions_clear(&a);
	slotmap_bank_up(t, 1, BANK_IP, SM_BANKD_PORT, &a);
	CHECK_EQ_INT(count_type(&a, SM_ACT_SEND_CREATE), 4);
	CHECK_EQ_INT(count_type(&a, SM_ACT_SEND_REMOVE), 2);
	/* restored maps deleted before their bankd returns are just dropped: a
	 * bankd's maps do not outlive its connection (it was lost with the server) */
	struct slotmap_table *t2 = slotmap_new();
	slotmap_restore(t2, 1, S(1, 0), S(1, 0), "NEW", 0, &a);
	slotmap_restore(t2, 2, S(2, 0), S(1, 1), "ACTIVE", 1, &a);
	slotmap_delete_bank(t2, S(1, 0), SM_ACTOR_CTL, &a);
	slotmap_delete_bank(t2, S(1, 1), SM_ACTOR_CTL, &a);
	CHECK_EQ_INT(state_of(t2, 1), SM_GONE);
	CHECK_EQ_INT(state_of(t2, 2), SM_GONE);
	slotmap_free(t2);
	sm_actions_free(&a);
	slotmap_free(t);
}

/* ------------------------------------------------------------------------ */
/* 9. names and helpers */

static void test_names_and_helpers(void)
{
	struct sm_slot s;
	CHECK_EQ_INT(sm_slot_parse("3:0", &s), 0);
	CHECK(s.id == 3 && s.nr == 0);
	CHECK_EQ_INT(sm_slot_parse("1023:1023", &s), 0);
	CHECK_EQ_INT(sm_slot_parse("1024:0", &s), -1);
	CHECK_EQ_INT(sm_slot_parse("3", &s), -1);
	CHECK_EQ_INT(sm_slot_parse(":1", &s), -1);
	CHECK_EQ_INT(sm_slot_parse("1:", &s), -1);
	CHECK_EQ_INT(sm_slot_parse("-1:0", &s), -1);
	CHECK_EQ_INT(sm_slot_parse("1:2:3", &s), -1);
	CHECK_EQ_INT(sm_slot_parse("00001:0", &s), -1);
	CHECK_EQ_INT(sm_rest_id(S(1, 5)), 65541);
	CHECK_EQ_STR(sm_state_rest_name(SM_UNACK), "UNACKNOWLEDGED");
	CHECK_EQ_STR(sm_state_rest_name(SM_DELETING), "DELETING");
	CHECK_EQ_STR(sm_state_name(SM_NEW_SENT), "NEW_SENT");
	CHECK_EQ_STR(sm_hist_name(SM_H_DELETE_REQUESTED), "delete_requested");
	CHECK_EQ_STR(sm_actor_name(SM_ACTOR_STARTUP), "startup");
	for (int h = 1; h < SM_H__NUM; h++)
		CHECK_EQ_INT(sm_hist_parse(sm_hist_name((enum sm_hist)h)), h);
	CHECK_EQ_INT(sm_hist_parse("nope"), -1);
	CHECK(!sm_state_visible(SM_DELETE_REQ) && !sm_state_visible(SM_UNACK_DEL));
	CHECK(sm_state_visible(SM_REFUSED) && sm_state_visible(SM_NEW_SENT));
	CHECK_EQ_INT(sm_state_on_bank(SM_NEW), 0);
	CHECK_EQ_INT(sm_state_on_bank(SM_NEW_SENT), 1);
	char ctx[40];
	sm_ctx(ctx, sizeof(ctx), S(3, 0), S(1, 5));
	CHECK_EQ_STR(ctx, "C3:0 B1:5");
}

/* many maps, many banks: the table stays consistent */
static void test_many(void)
{
	struct slotmap_table *t = slotmap_new();
	struct sm_actions a;
	sm_actions_init(&a);
	for (uint16_t b = 0; b < 4; b++)
		slotmap_bank_up(t, b, BANK_IP + b, SM_BANKD_PORT, &a);
	for (uint16_t i = 0; i < 1024; i++)
		CHECK_EQ_INT(slotmap_create(t, S(i, 0), S(i % 4, i / 4), SM_ACTOR_CTL, &a, NULL), SM_OK);
	CHECK_EQ_INT(count_type(&a, SM_ACT_SEND_CREATE), 1024);
	for (uint16_t i = 0; i < 1024; i++)
		CHECK_EQ_INT(slotmap_create_res(t, i % 4, 0, &a), SM_OK);
	for (size_t i = 0; i < 1024; i++)
		CHECK_EQ_INT(slotmap_at(t, i, true)->state, SM_ACTIVE);
	CHECK_EQ_INT(slotmap_reset(t, SM_ACTOR_CTL, &a), 1024);
	for (uint16_t i = 0; i < 1024; i++)
		CHECK_EQ_INT(slotmap_remove_res(t, i % 4, 0, &a), SM_OK);
	CHECK_EQ_INT(slotmap_count(t, true), 0);
	CHECK(!a.oom);
	sm_actions_free(&a);
	slotmap_free(t);
}

int main(void)
{
	log_init("test_slotmap");
	log_set_level(LL_WARN);
	RUN(test_table_cells);
	RUN(test_reach_every_state);
	RUN(test_every_cell_through_driver);
	RUN(test_invalid_event_changes_nothing);
	RUN(test_ranges);
	RUN(test_create_actions_bank_down_and_up);
	RUN(test_conflicts);
	RUN(test_recreate_while_deleting);
	RUN(test_fifo_matching);
	RUN(test_compat_error_activates);
	RUN(test_delete_unacknowledged);
	RUN(test_bank_lost_and_back);
	RUN(test_bank_up_twice);
	RUN(test_client_config);
	RUN(test_client_config_new_map);
	RUN(test_client_moved_before_remove_res);
	RUN(test_reset);
	RUN(test_reset_pending);
	RUN(test_restore);
	RUN(test_names_and_helpers);
	RUN(test_many);
	return check_summary();
}
