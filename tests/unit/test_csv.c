/*
 * test_csv.c — CSV for results.csv: quoting, formula guarding, numbers,
 * the byte-order mark, rows, in both dialects.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/csv.h"

static void
expect(struct csv *cv, const char *want)
{
	char	*out = NULL;
	size_t	 len = 0;

	assert_int_equal(csv_finish(cv, &out, &len), 0);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(out, want, len);
	free(out);
}

static void
test_bom_and_rows(void **state)
{
	struct csv	cv;

	(void)state;
	csv_init(&cv, true, CSV_COMMA);
	csv_text(&cv, "survey");
	csv_text(&cv, "unit");
	csv_end_row(&cv);
	csv_uint(&cv, 3);
	csv_empty(&cv);
	csv_end_row(&cv);
	expect(&cv, "\xEF\xBB\xBFsurvey,unit\r\n3,\r\n");
	csv_init(&cv, false, CSV_COMMA);
	expect(&cv, "");
}

static void
test_quoting(void **state)
{
	struct csv	cv;

	(void)state;
	csv_init(&cv, false, CSV_COMMA);
	csv_text(&cv, "plain");
	csv_text(&cv, "a,b");
	csv_text(&cv, "say \"hi\"");
	csv_text(&cv, "two\nlines");
	csv_text(&cv, " padded ");
	csv_text(&cv, "");
	csv_text(&cv, "äö ÅÄÖ");
	csv_end_row(&cv);
	expect(&cv, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\","
	    "\" padded \",,äö ÅÄÖ\r\n");
}

static void
test_formula_guard(void **state)
{
	struct csv	cv;

	(void)state;
	csv_init(&cv, false, CSV_COMMA);
	csv_text(&cv, "=1+1");
	csv_text(&cv, "+49");
	csv_text(&cv, "-x");
	csv_text(&cv, "@SUM(A1)");
	csv_text(&cv, "=a,b");
	csv_text(&cv, "a=b");
	csv_int(&cv, -12);
	csv_end_row(&cv);
	/* Text that a spreadsheet would run stays text; numbers stay. */
	expect(&cv, "'=1+1,'+49,'-x,'@SUM(A1),\"'=a,b\",a=b,-12\r\n");
}

static void
test_numbers(void **state)
{
	struct csv	cv;

	(void)state;
	csv_init(&cv, false, CSV_COMMA);
	csv_real(&cv, 3.9, 2);
	csv_real(&cv, 4.0, 2);
	csv_real(&cv, 3.857142857, 2);
	csv_real(&cv, 2.5, 1);
	csv_real(&cv, -0.001, 2);
	csv_real(&cv, NAN, 2);
	csv_int(&cv, 0);
	csv_uint(&cv, 4294967295u);
	csv_end_row(&cv);
	expect(&cv, "3.9,4,3.86,2.5,0,,0,4294967295\r\n");
}

/* The spreadsheet dialect: ';' between fields, ',' in decimals, and a
 * comma in text is no reason to quote. */
static void
test_semicolon(void **state)
{
	struct csv	cv;

	(void)state;
	csv_init(&cv, true, CSV_SEMICOLON);
	csv_text(&cv, "a,b");
	csv_text(&cv, "a;b");
	csv_text(&cv, "=x;y");
	csv_real(&cv, 3.857142857, 2);
	csv_real(&cv, 4.0, 2);
	csv_real(&cv, -0.5, 1);
	csv_real(&cv, -0.001, 2);
	csv_int(&cv, -12);
	csv_uint(&cv, 1000000);
	csv_empty(&cv);
	csv_end_row(&cv);
	csv_text(&cv, "n");
	csv_end_row(&cv);
	expect(&cv, CSV_BOM "a,b;\"a;b\";\"'=x;y\";3,86;4;-0,5;0;-12;"
	    "1000000;\r\nn\r\n");
}

static void
test_grows(void **state)
{
	struct csv	 cv;
	char		*out = NULL;
	size_t		 len = 0, i;

	(void)state;
	csv_init(&cv, true, CSV_COMMA);
	for (i = 0; i < 10000; i++) {
		csv_text(&cv, "a longer field, with a comma");
		csv_end_row(&cv);
	}
	assert_int_equal(csv_finish(&cv, &out, &len), 0);
	assert_int_equal(len, 3 + 10000 * (30 + 2));
	free(out);
	csv_init(&cv, false, CSV_COMMA);
	csv_text(&cv, "x");
	csv_free(&cv);
	assert_null(cv.cv_data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bom_and_rows),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_formula_guard),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_semicolon),
		cmocka_unit_test(test_grows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
