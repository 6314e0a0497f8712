/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_logmask.c: log categories and osmo-style `-d` masks (logmask.h),
 * and the nearest-name suggestions behind every "did you mean". */
#include "check.h"
#include "log.h"
#include "logmask.h"
#include "suggest.h"

#include <string.h>

static void fill(int lv[LC_COUNT], int v)
{
	for (int i = 0; i < LC_COUNT; i++)
		lv[i] = v;
}

static void test_categories(void)
{
	CHECK_EQ_STR(log_cat_name(LC_MAIN), "DMAIN");
	CHECK_EQ_STR(log_cat_name(LC_TPDU), "DTPDU");
	CHECK_EQ_STR(log_cat_name(LC_COUNT), "?");
	CHECK_EQ_INT(log_cat_parse("DRSPRO"), LC_RSPRO);
	CHECK_EQ_INT(log_cat_parse("drspro"), LC_RSPRO);
	CHECK_EQ_INT(log_cat_parse("rspro"), LC_RSPRO);
	CHECK_EQ_INT(log_cat_parse("DNOPE"), -1);
	CHECK_EQ_INT(log_cat_default_level(LC_MAIN), LL_INFO);
	CHECK_EQ_INT(log_cat_default_level(LC_TPDU), LL_NOTICE);
}

static void test_osmo_masks(void)
{
	int lv[LC_COUNT];
	char err[400];
	fill(lv, LL_INFO);
	CHECK_EQ_INT(log_mask_parse("DMAIN,1:DRSPRO,3", lv, err, sizeof(err)), 0);
	CHECK_EQ_INT(lv[LC_MAIN], LL_DEBUG);
	CHECK_EQ_INT(lv[LC_RSPRO], LL_INFO);
	CHECK_EQ_INT(lv[LC_ST2], LL_ERROR);	/* not named: down, errors still shown */
	/* upstream's own example: categories without a level, all their lines */
	fill(lv, LL_INFO);
	CHECK_EQ_INT(log_mask_parse("DMAIN:DST2", lv, err, sizeof(err)), 0);
	CHECK_EQ_INT(lv[LC_MAIN], LL_DEBUG);
	CHECK_EQ_INT(lv[LC_ST2], LL_DEBUG);
	CHECK_EQ_INT(lv[LC_BANKDW], LL_ERROR);
	/* numbers between osmocom's levels round up; 8 fatal */
	CHECK_EQ_INT(log_mask_parse("DBANKDW,4:DGSMTAP,8:dtpdu,3", lv, err, sizeof(err)), 0);
	CHECK_EQ_INT(lv[LC_BANKDW], LL_NOTICE);
	CHECK_EQ_INT(lv[LC_GSMTAP], LL_FATAL);
	CHECK_EQ_INT(lv[LC_TPDU], LL_INFO);
	/* libosmocore's library categories are accepted and ignored */
	CHECK_EQ_INT(log_mask_parse("DLINP,1:DMAIN,5", lv, err, sizeof(err)), 0);
	CHECK_EQ_INT(lv[LC_MAIN], LL_NOTICE);
	/* level names after the comma too */
	CHECK_EQ_INT(log_mask_parse("DREST,warn", lv, err, sizeof(err)), 0);
	CHECK_EQ_INT(lv[LC_REST], LL_WARN);
}

static void test_plain_levels(void)
{
	int lv[LC_COUNT];
	char err[400];
	fill(lv, LL_INFO);
	lv[LC_TPDU] = LL_NOTICE;
	CHECK_EQ_INT(log_mask_parse("debug", lv, err, sizeof(err)), 0);
	CHECK_EQ_INT(lv[LC_SUP], LL_DEBUG);
	CHECK_EQ_INT(lv[LC_TPDU], LL_NOTICE);	/* TPDU lines only when asked by name */
	CHECK_EQ_INT(log_mask_parse("7", lv, err, sizeof(err)), 0);
	CHECK_EQ_INT(lv[LC_MAIN], LL_ERROR);
}

static void test_bad_masks(void)
{
	int lv[LC_COUNT];
	char err[400];
	fill(lv, LL_INFO);
	CHECK_EQ_INT(log_mask_parse("DMIAN,1", lv, err, sizeof(err)), -1);
	CHECK(strstr(err, "unknown log category 'DMIAN'") != NULL);
	CHECK(strstr(err, "did you mean 'DMAIN'") != NULL);
	CHECK(strstr(err, "DBANKDW") != NULL);
	CHECK_EQ_INT(lv[LC_MAIN], LL_INFO);	/* nothing applied on error */
	CHECK_EQ_INT(log_mask_parse("DMAIN,x", lv, err, sizeof(err)), -1);
	CHECK(strstr(err, "bad level 'x' for DMAIN") != NULL);
	CHECK_EQ_INT(log_mask_parse("DMAIN,9", lv, err, sizeof(err)), -1);
	CHECK_EQ_INT(log_mask_parse("DMAIN,", lv, err, sizeof(err)), -1);
	CHECK_EQ_INT(log_mask_parse("", lv, err, sizeof(err)), -1);
	CHECK_EQ_INT(log_mask_parse("foo", lv, err, sizeof(err)), -1);
	CHECK(strstr(err, "unknown log category 'foo'") != NULL);
}

static void test_format_round_trip(void)
{
	int lv[LC_COUNT], back[LC_COUNT];
	char txt[400], err[400];
	fill(lv, LL_INFO);
	lv[LC_ST2] = LL_DEBUG;
	lv[LC_TPDU] = LL_WARN;
	log_mask_format(lv, txt, sizeof(txt));
	CHECK(strstr(txt, "DST2,DEBUG") != NULL);
	fill(back, LL_FATAL);
	CHECK_EQ_INT(log_mask_parse(txt, back, err, sizeof(err)), 0);
	CHECK(memcmp(lv, back, sizeof(lv)) == 0);
}

static void test_partial_and_components(void)
{
	int lv[LC_COUNT];
	char err[400];
	fill(lv, LL_INFO);
	CHECK_EQ_INT(log_mask_parse_partial("DTPDU,info:DRSPRO,1", lv, err, sizeof(err)), 0);
	CHECK_EQ_INT(lv[LC_TPDU], LL_INFO);
	CHECK_EQ_INT(lv[LC_RSPRO], LL_DEBUG);
	CHECK_EQ_INT(lv[LC_MAIN], LL_INFO);	/* not named: unchanged (osmo masks: error) */
	CHECK_EQ_INT(log_mask_parse_partial("all,notice:DST2,debug", lv, err, sizeof(err)), 0);
	CHECK_EQ_INT(lv[LC_TPDU], LL_NOTICE);
	CHECK_EQ_INT(lv[LC_ST2], LL_DEBUG);
	CHECK_EQ_INT(log_mask_parse("all,debug", lv, err, sizeof(err)), -1);	/* "all" is ours, not osmo's */
	CHECK_EQ_INT(log_mask_parse_partial("DTPUD,info", lv, err, sizeof(err)), -1);
	CHECK(strstr(err, "did you mean 'DTPDU'?") != NULL);
	CHECK_EQ_INT(log_cat_for_component("broker"), LC_BROKER);
	CHECK_EQ_INT(log_cat_for_component("remsimd"), LC_SUP);
	CHECK_EQ_INT(log_cat_for_component("mapstore"), LC_SLOTMAP);
	CHECK_EQ_INT(log_cat_for_component("rest"), LC_REST);
	CHECK_EQ_INT(log_cat_for_component("reader/12"), LC_BANKDW);
	CHECK_EQ_INT(log_cat_for_component("readers"), LC_MAIN);
	CHECK_EQ_INT(log_cat_for_component("usbslot/0"), LC_MAIN);
	CHECK_EQ_INT(log_cat_for_component("bankmap"), LC_MAIN);
	CHECK_EQ_INT(log_cat_for_component(NULL), LC_MAIN);
	CHECK_EQ_STR(log_cat_names()[LC_TPDU], "DTPDU");
	CHECK(log_cat_names()[LC_COUNT] == NULL);
}

static void test_suggest(void)
{
	static const char *const names[] = { "server_host", "server_port", "bind_port", NULL };
	char list[64];
	CHECK_EQ_STR(suggest_nearest("server_hots", names, 0), "server_host");
	CHECK_EQ_STR(suggest_nearest("BIND_PORT", names, 1), "bind_port");
	CHECK(suggest_nearest("BIND_PORT", names, 0) == NULL);
	CHECK(suggest_nearest("something", names, 0) == NULL);
	CHECK_EQ_STR(suggest_list(names, list, sizeof(list)), "server_host, server_port, bind_port");
	CHECK_EQ_INT(suggest_distance("abc", "abd", 0), 1);
}

int main(void)
{
	RUN(test_categories);
	RUN(test_osmo_masks);
	RUN(test_plain_levels);
	RUN(test_bad_masks);
	RUN(test_format_round_trip);
	RUN(test_partial_and_components);
	RUN(test_suggest);
	return check_summary();
}
