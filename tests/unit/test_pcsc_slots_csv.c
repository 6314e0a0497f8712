/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_pcsc_slots_csv.c: unit tests of common/mapping/pcsc_slots_csv.c: osmo-remsim's
 * bankd_pcsc_slots.csv syntax (quoting, blanks, line ends, atoi columns, last
 * regex column wins, first row wins on lookup) and file:line errors. */
#include "check.h"
#include "tmpdir.h"
#include "pcsc_slots_csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct pcsc_slots S;
static char err[512];

static int parse(const char *text)
{
	pcsc_slots_free(&S);
	return pcsc_slots_csv_parse(text, strlen(text), "slots.csv", &S, err, sizeof(err));
}

static void test_osmo_example(void)
{
	CHECK_EQ_INT(parse("\"1\",\"0\",\"ACS ACR33 ICC Reader 00 00\"\n"
			   "\"1\",\"1\",\"sysmocom sysmoOCTSIM \\[CCID\\] \\(ab19...\\) [0-9]{2} 01\"\n"), 0);
	CHECK_EQ_INT(S.n, 2);
	CHECK_EQ_INT(S.rows[0].bank_id, 1);
	CHECK_EQ_INT(S.rows[0].slot_nr, 0);
	CHECK_EQ_STR(S.rows[0].regex, "ACS ACR33 ICC Reader 00 00");
	CHECK_EQ_STR(S.rows[1].regex, "sysmocom sysmoOCTSIM \\[CCID\\] \\(ab19...\\) [0-9]{2} 01");
	CHECK_EQ_INT(S.rows[1].line, 2);
}

static void test_unquoted_blanks_and_line_ends(void)
{
	CHECK_EQ_INT(parse("  1 , 2 ,  Virtual PCD 00 00  \r\n\r\n\n2,3,x\r4,5,y"), 0);
	CHECK_EQ_INT(S.n, 3);
	CHECK_EQ_STR(S.rows[0].regex, "Virtual PCD 00 00");	/* inner blanks kept, outer dropped */
	CHECK_EQ_INT(S.rows[0].slot_nr, 2);
	CHECK_EQ_INT(S.rows[1].line, 4);			/* CRLF and CR count as one line each */
	CHECK_EQ_INT(S.rows[2].line, 5);
	CHECK_EQ_STR(S.rows[2].regex, "y");			/* no final line end */
}

static void test_quotes(void)
{
	CHECK_EQ_INT(parse("\"1\" , \"0\" , \"a \"\"b\"\", c\"  \n"), 0);
	CHECK_EQ_STR(S.rows[0].regex, "a \"b\", c");
	CHECK_EQ_INT(parse("1,0,\"line\nbreak\"\n1,1,z\n"), 0);	/* a quoted line break is data */
	CHECK_EQ_STR(S.rows[0].regex, "line\nbreak");
	CHECK_EQ_INT(S.rows[1].line, 3);
	CHECK_EQ_INT(parse("1,0,ab\"c\n"), 0);			/* a quote inside an unquoted field */
	CHECK_EQ_STR(S.rows[0].regex, "ab\"c");
	CHECK_EQ_INT(parse("1,0,\"ab\"c\"\n"), 0);		/* non-strict: stray quote is data */
	CHECK_EQ_STR(S.rows[0].regex, "ab\"c");
	CHECK_EQ_INT(parse("1,0,\"open\n"), 0);			/* unterminated quote ends with the file */
	CHECK_EQ_STR(S.rows[0].regex, "open\n");
}

static void test_atoi_columns_and_last_regex(void)
{
	CHECK_EQ_INT(parse("x,7abc,first,second\n,,r\n"), 0);
	CHECK_EQ_INT(S.rows[0].bank_id, 0);
	CHECK_EQ_INT(S.rows[0].slot_nr, 7);
	CHECK_EQ_STR(S.rows[0].regex, "second");
	CHECK_EQ_INT(S.rows[1].bank_id, 0);
	CHECK_EQ_STR(S.rows[1].regex, "r");
	CHECK_EQ_INT(parse("1,0,\n"), 0);				/* empty regex: matches every name */
	CHECK_EQ_STR(S.rows[0].regex, "");
}

static void test_find_first_row_wins(void)
{
	CHECK_EQ_INT(parse("1,0,a\n2,0,b\n1,0,c\n1,1,d\n"), 0);
	CHECK_EQ_STR(pcsc_slots_find(&S, 1, 0)->regex, "a");
	CHECK_EQ_STR(pcsc_slots_find(&S, 2, 0)->regex, "b");
	CHECK_EQ_STR(pcsc_slots_find(&S, 1, 1)->regex, "d");
	CHECK(pcsc_slots_find(&S, 1, 2) == NULL);
	CHECK_EQ_INT(parse(""), 0);
	CHECK_EQ_INT(S.n, 0);
	CHECK_EQ_INT(parse("\n\r\n  \n"), 0);
	CHECK_EQ_INT(S.n, 0);
}

static void test_errors_name_file_and_line(void)
{
	CHECK_EQ_INT(parse("1,0,a\n\n1,1\n1,2,c\n"), -1);
	CHECK(strncmp(err, "slots.csv:3: 2 column(s)", 24) == 0);
	CHECK_EQ_INT(S.n, 0);					/* the whole file is rejected */
	CHECK_EQ_INT(parse("1,0,a\n\"1\",\"1\",\"bad [regex\"\n"), -1);
	CHECK(strncmp(err, "slots.csv:2: invalid regular expression \"bad [regex\"", 52) == 0);
	CHECK_EQ_INT(parse("1,0,\"x\ny\"\n1,1,(\n"), -1);	/* row after a quoted line break */
	CHECK(strncmp(err, "slots.csv:3:", 12) == 0);
	CHECK_EQ_INT(parse("1,0,ok,(bad\n"), -1);		/* every regex column is checked */
	CHECK(strncmp(err, "slots.csv:1: invalid", 20) == 0);
	CHECK_EQ_INT(parse("1\n"), -1);
	CHECK(strstr(err, "slots.csv:1: 1 column(s)") != NULL);
}

static void test_load_file(void)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/remsim-test-csv-XXXXXX", tmp_base());
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	const char text[] = "\"1\",\"0\",\"Virtual PCD 00 00\"\n\"1\",\"1\"\n";
	CHECK_EQ_INT(write(fd, text, sizeof(text) - 1), (long long)(sizeof(text) - 1));
	close(fd);
	pcsc_slots_free(&S);
	CHECK_EQ_INT(pcsc_slots_csv_load(path, &S, err, sizeof(err)), -1);
	char want[sizeof(path) + 32];
	snprintf(want, sizeof(want), "%s:2: 2 column(s)", path);
	CHECK(strncmp(err, want, strlen(want)) == 0);
	unlink(path);
	CHECK_EQ_INT(pcsc_slots_csv_load(path, &S, err, sizeof(err)), -1);
	CHECK(strstr(err, ": cannot open: ") != NULL);
}

int main(void)
{
	RUN(test_osmo_example);
	RUN(test_unquoted_blanks_and_line_ends);
	RUN(test_quotes);
	RUN(test_atoi_columns_and_last_regex);
	RUN(test_find_first_row_wins);
	RUN(test_errors_name_file_and_line);
	RUN(test_load_file);
	pcsc_slots_free(&S);
	return check_summary();
}
