/*
 * test_scrub.c — the scrubber of free text: identity codes, phone numbers,
 * e-mail addresses and bank accounts in real-looking sentences are
 * replaced, in every spelling people type; dates, prices, times,
 * postcodes, business ids and other numbers stay byte for byte.
 */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/scrub.h"

struct pair {
	const char	*in;
	const char	*want;
};

/* Code points of valid UTF-8: the bytes that start one. */
static size_t
code_points(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * Each in gives its want; and, as for any text, scrubbing that again
 * changes nothing and it is within scrub_max_length() of what was typed.
 */
static void
check_pairs(const struct pair *p, size_t n)
{
	char	*out, *again;
	size_t	 i;

	for (i = 0; i < n; i++) {
		out = again = NULL;
		assert_int_equal(scrub_text(p[i].in, &out), 0);
		assert_non_null(out);
		if (strcmp(out, p[i].want) != 0)
			print_error("in:   \"%s\"\n", p[i].in);
		assert_string_equal(out, p[i].want);
		assert_int_equal(scrub_text(out, &again), 0);
		assert_string_equal(again, out);
		assert_true(code_points(out) <=
		    scrub_max_length(code_points(p[i].in)));
		free(again);
		free(out);
	}
}

/* Each text comes back byte for byte. */
static void
check_kept(const char *const *keep, size_t n)
{
	char	*out;
	size_t	 i;

	for (i = 0; i < n; i++) {
		out = NULL;
		assert_int_equal(scrub_text(keep[i], &out), 0);
		if (strcmp(out, keep[i]) != 0)
			print_error("in:   \"%s\"\n", keep[i]);
		assert_string_equal(out, keep[i]);
		free(out);
	}
}

#define CHECK(pairs)	check_pairs(pairs, sizeof(pairs) / sizeof(pairs[0]))
#define KEEP(texts)	check_kept(texts, sizeof(texts) / sizeof(texts[0]))

/*
 * The spellings, by name, so that a test reads as the text it stands
 * for: "040" ZWSP "709" is what a client pasted from a web page.
 */
#define ZWSP	"\xe2\x80\x8b"	/* U+200B zero-width space */
#define ZWJ	"\xe2\x80\x8d"	/* U+200D zero-width joiner */
#define WJ	"\xe2\x81\xa0"	/* U+2060 word joiner */
#define BOM	"\xef\xbb\xbf"	/* U+FEFF byte order mark */
#define SHY	"\xc2\xad"		/* U+00AD soft hyphen */
#define NBSP	"\xc2\xa0"		/* U+00A0 no-break space */
#define NNBSP	"\xe2\x80\xaf"	/* U+202F narrow no-break space */
#define IDSP	"\xe3\x80\x80"	/* U+3000 ideographic space */
#define NBHY	"\xe2\x80\x91"	/* U+2011 non-breaking hyphen */
#define FIGD	"\xe2\x80\x92"	/* U+2012 figure dash */
#define ENDASH	"\xe2\x80\x93"	/* U+2013 en dash */
#define EMDASH	"\xe2\x80\x94"	/* U+2014 em dash: punctuation only */
#define MINUS	"\xe2\x88\x92"	/* U+2212 minus sign */
#define LSEP	"\xe2\x80\xa8"	/* U+2028 line separator */
#define FWHY	"\xef\xbc\x8d"	/* U+FF0D full-width hyphen-minus */

static void
test_hetu(void **state)
{
	static const struct pair	p[] = {
		/* Valid codes of each century group. */
		{ "Hetuni on 131052-308T.", "Hetuni on [hetu]." },
		{ "synt. 010594Y9021, asiakasnumero puuttuu",
		    "synt. [hetu], asiakasnumero puuttuu" },
		{ "lapsen tunnus 150306A123L", "lapsen tunnus [hetu]" },
		{ "(240823B5719)", "([hetu])" },
		{ "isoisä 010190+123N", "isoisä [hetu]" },
		/* A wrong check character still leaks date and number. */
		{ "131052-308A ei ole oikein", "[hetu] ei ole oikein" },
		/* Lower case, as typed on a phone. */
		{ "hetu 131052-308t", "hetu [hetu]" },
		{ "hetu 150306e123l", "hetu [hetu]" },
		/* Two in one text, with UTF-8 around them. */
		{ "äidin 280264-051U ja minun 311299-999E, kiitos",
		    "äidin [hetu] ja minun [hetu], kiitos" },
		{ "hetu:131052-308T", "hetu:[hetu]" },
	};

	CHECK(p);
}

/* Every century sign, the 2023 ones included, in both cases. */
static void
test_hetu_century_signs(void **state)
{
	static const char	signs[] = "+-YXWVUABCDEF";
	char			in[64], *out;
	size_t			i;
	int			lower;

	for (i = 0; signs[i] != '\0'; i++) {
		for (lower = 0; lower < 2; lower++) {
			snprintf(in, sizeof(in), "tunnus 131052%c308T loppu",
			    lower && signs[i] >= 'A' ? signs[i] + 32 :
			    signs[i]);
			assert_int_equal(scrub_text(in, &out), 0);
			assert_string_equal(out, "tunnus [hetu] loppu");
			free(out);
		}
	}
}

static void
test_hetu_near_misses(void **state)
{
	static const struct pair	p[] = {
		/* Day 32 and month 13 are no dates. */
		{ "koodi 321299-123A", "koodi 321299-123A" },
		{ "koodi 121399-123A", "koodi 121399-123A" },
		/* Not a century sign. */
		{ "tilaus 131052G308T", "tilaus 131052G308T" },
		/* Part of a longer number. */
		{ "viite 9131052-308T", "viite 9131052-308T" },
		/* Date only, no individual number. */
		{ "syntynyt 131052", "syntynyt 131052" },
	};

	CHECK(p);
}

static void
test_phone(void **state)
{
	static const struct pair	p[] = {
		{ "Soita minulle 040 123 4567, kiitos.",
		    "Soita minulle [puhelin], kiitos." },
		{ "numero 040-1234567", "numero [puhelin]" },
		{ "numero 0401234567.", "numero [puhelin]." },
		{ "puh. +358 40 123 4567", "puh. [puhelin]" },
		{ "puh.+358401234567", "puh.[puhelin]" },
		{ "vaihde (09) 123 4567 arkisin", "vaihde [puhelin] arkisin" },
		{ "toimisto 09 1234 567", "toimisto [puhelin]" },
		{ "Ruotsin numero +46 70 123 45 67!",
		    "Ruotsin numero [puhelin]!" },
		{ "ulkomailta 00358 40 1234567", "ulkomailta [puhelin]" },
		{ "tel:+358 (0)40 123 4567", "tel:[puhelin]" },
		{ "US office +1 (555) 123-4567.", "US office [puhelin]." },
		{ "puh.0401234567", "puh.[puhelin]" },
		{ "050\xc2\xa0" "765\xc2\xa0" "4321", "[puhelin]" },
		{ "(017) 12345", "[puhelin]" },
		/* Text after the number stays. */
		{ "soitin 040 123 4567 2 kertaa", "soitin [puhelin] 2 kertaa" },
		{ "soita 0401234567 15 min ennen", "soita [puhelin] 15 min ennen" },
		/* Two numbers. */
		{ "040 1234567 tai 050 7654321", "[puhelin] tai [puhelin]" },
	};

	CHECK(p);
}

static void
test_email(void **state)
{
	static const struct pair	p[] = {
		{ "Laita viestiä matti.meikalainen@example.com.",
		    "Laita viestiä [email]." },
		{ "osoite: Anna-Liisa.Virtanen+palaute@sosiaali.esimerkki.fi",
		    "osoite: [email]" },
		{ "<käyttäjä@esimerkki.fi>", "<[email]>" },
		{ "s-posti:a_b%c@x.y.example (työ)", "s-posti:[email] (työ)" },
		{ "0401234567@sms.example", "[email]" },
	};

	CHECK(p);
}

/* The near-misses of the brief, byte for byte. */
static void
test_near_misses(void **state)
{
	static const char *const	keep[] = {
		"Kävin 12.03.2024 klo 10:30 ja odotin 15 min.",
		"Ajanvaraus 2024-03-12, seuraava 01.04.2024.",
		"Maksoin 12,50 € ja kävin 3 kertaa.",
		"Vuonna 2023 huone 204 oli kylmä.",
		"Osoite on Esimerkkikatu 1, 00100 Helsinki.",
		"Asiakasnumeroni on 12345.",
		"Tyytyväisiä oli 85 % ja 0,5 % ei vastannut.",
		"Auki ma-pe 8-16, to 08.00-18.00.",
		"Hinta nousi 1 500 000 euroon.",
		"Jonotin 09:45-10:15, numero 047.",
		"postinumero 00100",
		"@ ja a@b ja x@localhost",
		"",
		"Kaikki meni hyvin, kiitos! 😀",
	};

	KEEP(keep);
}

/* The hetu as phones, other keyboards and pasted text spell it. */
static void
test_hetu_spellings(void **state)
{
	static const struct pair	p[] = {
		/* Other dashes for the century sign "-". */
		{ "Hetuni on 131052" NBHY "308T.", "Hetuni on [hetu]." },
		{ "hetu 131052" FIGD "308T", "hetu [hetu]" },
		{ "tunnus 131052" ENDASH "308T, kiitos",
		    "tunnus [hetu], kiitos" },
		{ "synt. 010594" MINUS "902L", "synt. [hetu]" },
		{ "hetu 131052" FWHY "308T", "hetu [hetu]" },
		/* Full-width, from a Japanese or Chinese keyboard. */
		{ "minun tunnus on １３１０５２－３０８Ｔ",
		    "minun tunnus on [hetu]" },
		{ "lapsen １５０３０６Ａ１２３ｌ", "lapsen [hetu]" },
		/* Invisible characters inside, from a web page or a chat. */
		{ "hetu 1310" ZWSP "52-308T", "hetu [hetu]" },
		{ "hetu 131052-3" ZWJ "08T", "hetu [hetu]" },
		{ "hetu 131052" WJ "-308T", "hetu [hetu]" },
		{ "hetu 131052-308" SHY "T", "hetu [hetu]" },
		{ "hetu 13" BOM "1052A308T", "hetu [hetu]" },
		/* Wrapped at the end of a line. */
		{ "Asiakkaan tunnus 131052-\n308T ja muuta",
		    "Asiakkaan tunnus [hetu] ja muuta" },
		{ "tunnus 131052-\r\n308T", "tunnus [hetu]" },
		{ "tunnus 131052\n-308T", "tunnus [hetu]" },
		{ "tunnus 131052- \n 308T", "tunnus [hetu]" },
		{ "tunnus 131052" LSEP "A308T", "tunnus [hetu]" },
	};

	CHECK(p);
}

static void
test_hetu_spellings_near_misses(void **state)
{
	static const char *const	keep[] = {
		/* Day 32; G is no century sign. */
		"koodi 321299" MINUS "123A",
		"tilaus １３１０５２Ｇ３０８Ｔ",
		/* A full-width date. */
		"syntynyt １３．１０．１９５２",
		/* Part of a longer number or word, invisibly joined. */
		"viite 9" ZWSP "131052-308T",
		"sarja A" WJ "131052-308T",
		/* Two lines apart are two things. */
		"Päivä 131052\n\n-308 kpl",
	};

	KEEP(keep);
}

/* Phone numbers as people type them on phones and paste them. */
static void
test_phone_spellings(void **state)
{
	static const struct pair	p[] = {
		/* Full-width digits and plus. */
		{ "Soita ０４０ ７０９ ５１０９, kiitos.",
		    "Soita [puhelin], kiitos." },
		{ "puh. ＋３５８ ４０ ７０９ ５１０９", "puh. [puhelin]" },
		{ "numero ０４０７０９５１０９。", "numero [puhelin]。" },
		/* Invisible characters inside. */
		{ "numero 040" ZWSP "709" ZWSP "5109", "numero [puhelin]" },
		{ "numero 0407" SHY "095109.", "numero [puhelin]." },
		{ "numero 040" WJ "7095109", "numero [puhelin]" },
		{ "numero 04" ZWJ "07095109", "numero [puhelin]" },
		{ "numero 040 709 51" BOM "09", "numero [puhelin]" },
		/* A match never starts on one: it is copied as it was. */
		{ "numero " BOM "0407095109", "numero " BOM "[puhelin]" },
		/* Other dashes. */
		{ "soita 040" NBHY "7095109", "soita [puhelin]" },
		{ "soita 040" FIGD "709" FIGD "5109", "soita [puhelin]" },
		{ "soita 040" ENDASH "709 5109 iltaisin",
		    "soita [puhelin] iltaisin" },
		{ "soita 040" MINUS "7095109", "soita [puhelin]" },
		{ "soita 040 " ENDASH " 709 5109", "soita [puhelin]" },
		{ "soita 040" FWHY "7095109", "soita [puhelin]" },
		/* Dots and slashes between the groups. */
		{ "Soita 040.709.5109!", "Soita [puhelin]!" },
		{ "Soita 040/709 5109 tai 09/123 4567.",
		    "Soita [puhelin] tai [puhelin]." },
		{ "puh.040/7095109", "puh.[puhelin]" },
		{ "puh 040 / 709 5109", "puh [puhelin]" },
		/* A line break inside. */
		{ "soita 040 709\n5109 kiitos", "soita [puhelin] kiitos" },
		{ "soita 040\r\n709 5109", "soita [puhelin]" },
		/* Other spaces. */
		{ "+358" NNBSP "40" NNBSP "709" NNBSP "5109", "[puhelin]" },
		{ "puh" IDSP "040" IDSP "709" IDSP "5109",
		    "puh" IDSP "[puhelin]" },
		{ "puh 040\t709 5109", "puh [puhelin]" },
		{ "+358 (0)40" ENDASH "709 5109", "[puhelin]" },
	};

	CHECK(p);
}

/* What looks like a phone number in the new spellings and is none. */
static void
test_phone_spellings_near_misses(void **state)
{
	static const char *const	keep[] = {
		/* Dates whose day starts with 0, in every separator. */
		"Kävin 01.04.2024 ja 01" ENDASH "04" ENDASH "2024.",
		"Ajanvaraus 03/12/2024 klo 9, toinen 05-11-24.",
		"Päivämäärä ０１．０４．２０２４.",
		"Suljettu 1.4." ENDASH "30.4.2024.",
		/* Times. */
		"Auki 08.00" ENDASH "16.00, la 09.30" MINUS "13.30.",
		"Jonotin 09.30" ENDASH "10.15, jonossa 7 henkilöä.",
		/* Case numbers. */
		"Asian diaarinumero 045/2024 ja 0123/2024.",
		"Päätös 12345/2024, tiketti 0123.",
		/* Room numbers, postcodes, prices, versions. */
		"Huone 0204, kerros 2.",
		"Huone 0204\n\n1234 kpl tilattu.",
		"Postinumero ００１００ Helsinki.",
		"Hinta 0,50 € tai 0.50 €.",
		"Versio 2.0.1, ohje 0.9.",
		/* Unmatched text is copied byte for byte, invisibles too. */
		"Odotin 15" NBHY "20 min" ZWSP "!",
		"Soitin 2" ENDASH "3 kertaa" EMDASH "turhaan.",
		"Kiitos" SHY BOM "!",
	};

	KEEP(keep);
}

/*
 * A business id (Y-tunnus) is public and must stay: the phone rule once
 * turned "0112038-9" into "[puhelin]-9".
 */
static void
test_business_id(void **state)
{
	static const char *const	keep[] = {
		"Y-tunnus 0112038-9",
		"Yrityksen Y-tunnus on 0201256-6.",
		"Y-tunnus: 0112038" ENDASH "9, toinen 0737546" NBHY "2",
		"Y-tunnukset 1234567-8 ja 0123456-7.",
		"(Y-tunnus ０１１２０３８－９)",
	};
	static const struct pair	p[] = {
		{ "Y-tunnus 0112038-9, puh. 040 709 5109",
		    "Y-tunnus 0112038-9, puh. [puhelin]" },
		/* Two digits after the dash: a phone number. */
		{ "soita 0112038-95", "soita [puhelin]" },
	};

	KEEP(keep);
	CHECK(p);
}

static void
test_email_spellings(void **state)
{
	static const struct pair	p[] = {
		{ "Sähköposti matti.virtanen＠kela.fi.", "Sähköposti [email]." },
		{ "ｍａｔｔｉ＠ｋｅｌａ．ｆｉ", "[email]" },
		{ "osoite matti.virtanen(at)kela.fi", "osoite [email]" },
		{ "laita viesti: matti (at) kela (dot) fi",
		    "laita viesti: [email]" },
		{ "Anna-Liisa[at]esimerkki[dot]fi kiitos", "[email] kiitos" },
		{ "matti{at}example.com", "[email]" },
		{ "Minuun saa yhteyttä matti.virtanen at kela.fi, kiitos",
		    "Minuun saa yhteyttä [email], kiitos" },
		{ "kirjoita matti AT kela DOT fi", "kirjoita [email]" },
		{ "matti [AT] esimerkki [DOT] com", "[email]" },
		{ "matti.virtanen@\nkela.fi", "[email]" },
		{ "matti" ZWSP "@kela.fi", "[email]" },
		{ "matti@kela．fi", "[email]" },
		{ "anna" ENDASH "liisa@kela.fi", "[email]" },
	};

	CHECK(p);
}

static void
test_email_spellings_near_misses(void **state)
{
	static const char *const	keep[] = {
		/* A bare "at" needs a common top-level domain. */
		"I was at home.Then I called.",
		"Katso at sivu.xyz",
		/* No address around the spelling. */
		"Tapaaminen (at) kahvilassa.",
		"Sähköposti [dot] puuttuu, matti at kela",
		"＠ ja (at) ja [dot]",
	};

	KEEP(keep);
}

/* Finnish bank accounts, as IBAN. */
static void
test_iban(void **state)
{
	static const struct pair	p[] = {
		{ "Tilinumeroni on FI21 1234 5600 0007 85, palauttakaa raha.",
		    "Tilinumeroni on [tili], palauttakaa raha." },
		{ "tili fi2112345600000785", "tili [tili]" },
		{ "IBAN:FI2112345600000785.", "IBAN:[tili]." },
		{ "tili FI21-1234-5600-0007-85", "tili [tili]" },
		{ "tili Fi21 1234 5600 0007 85", "tili [tili]" },
		{ "tili FI 21 1234 5600 0007 85", "tili [tili]" },
		{ "tili FI21" NBSP "1234" NBSP "5600" NBSP "0007" NBSP "85",
		    "tili [tili]" },
		{ "tili ＦＩ２１ １２３４ ５６００ ０００７ ８５", "tili [tili]" },
		{ "tili FI21 1234 5600\n0007 85 kiitos", "tili [tili] kiitos" },
		{ "tili FI21 1234" ZWSP " 5600 0007 85", "tili [tili]" },
		{ "(FI21 1234 5600 0007 85)", "([tili])" },
	};
	static const char *const	keep[] = {
		/* 15 and 19 digits: not a Finnish IBAN. */
		"Tili FI21 1234 5600 0007 8 puuttuu.",
		"Viite FI2112345600000785123 on pidempi.",
		/* A VAT number, words. */
		"ALV-numero FI01120389.",
		"FIN 2024 ja FI-merkki, SUOMI FI 2024.",
		"KAFI2112345600000785",
	};

	CHECK(p);
	KEEP(keep);
}

/*
 * The caller limits what people type to max_length code points and
 * accepts a stored text within scrub_max_length() of that (core/qtype.c).
 * The shortest match of each rule, in each spelling, is where a text
 * grows most: within the bound in code points and in bytes.
 */
static void
test_length_bound(void **state)
{
	static const struct pair	p[] = {
		{ "a@b.cd", "[email]" },
		{ "a＠b.cd", "[email]" },
		{ "ａ＠ｂ．ｃｄ", "[email]" },
		{ "a(at)b.cd", "[email]" },
		{ "0123456", "[puhelin]" },
		{ "０１２３４５６", "[puhelin]" },
		{ "01" ZWSP "23456", "[puhelin]" },
		{ "+1234567", "[puhelin]" },
		{ "131052-308T", "[hetu]" },
		{ "FI2112345600000785", "[tili]" },
	};
	char	*out;
	size_t	 i;

	assert_int_equal(scrub_max_length(0), 0);
	assert_int_equal(scrub_max_length(6), 8);
	assert_int_equal(scrub_max_length(7), 9);
	assert_int_equal(scrub_max_length(10), 13);
	assert_int_equal(scrub_max_length(SIZE_MAX), SIZE_MAX);
	CHECK(p);
	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		assert_int_equal(scrub_text(p[i].in, &out), 0);
		assert_true(strlen(out) <= scrub_max_length(strlen(p[i].in)));
		free(out);
	}
}

/*
 * With a limit, the result keeps it: the end gives way, a placeholder is
 * dropped whole rather than split, and a code near the end is not cut
 * into a part the rules no longer catch.
 */
static void
test_max(void **state)
{
	static const struct {
		const char	*in;
		size_t		 max;
		const char	*want;
	} p[] = {
		/* Within the limit once scrubbed: as scrub_text() gives. */
		{ "soita 0401234567", 16, "soita [puhelin]" },
		{ "soita 0401234", 15, "soita [puhelin]" },
		/* Two over: the end of the placeholder would be cut. */
		{ "soita 0401234", 13, "soita " },
		{ "0401234 kiitos", 14, "[puhelin] kiit" },
		{ "a@b.cd", 6, "" },
		/* The code is scrubbed before the cut, never after it. */
		{ "0123456 0123456 131052-308T", 27,
		    "[puhelin] [puhelin] [hetu]" },
		{ "0123456 0123456 0123456 131052-308T", 30,
		    "[puhelin] [puhelin] [puhelin] " },
		/* A long number cut short becomes a phone number. */
		{ "x 0401234 04012345678901234567", 23,
		    "x [puhelin] [puhelin]" },
		/* Code points, not bytes. */
		{ "äää 0401234", 13, "äää [puhelin]" },
		{ "äää 0401234", 12, "äää " },
		{ "", 0, "" },
	};
	char	*out, *again;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		assert_int_equal(scrub_text_max(p[i].in, p[i].max, &out), 0);
		if (strcmp(out, p[i].want) != 0)
			print_error("in: \"%s\" max %zu\n", p[i].in, p[i].max);
		assert_string_equal(out, p[i].want);
		assert_true(code_points(out) <= p[i].max);
		assert_int_equal(scrub_text(out, &again), 0);
		assert_string_equal(again, out);
		free(again);
		free(out);
	}
	assert_int_equal(scrub_text_max("x", 1, NULL), -EINVAL);
	assert_int_equal(scrub_text_max(NULL, 1, &out), -EINVAL);
}

static void
test_mixed(void **state)
{
	static const struct pair	p[] = {
		{ "Olen 131052-308T, soita 040 123 4567 tai maili "
		    "matti@example.fi. Kävin 12.03.2024 klo 10:30.",
		    "Olen [hetu], soita [puhelin] tai maili [email]. "
		    "Kävin 12.03.2024 klo 10:30." },
	};

	CHECK(p);
}

/*
 * Right after a placeholder the text starts afresh: what the first pass
 * leaves, a second would not change (found by fuzz/scrub.c).
 */
static void
test_glued(void **state)
{
	static const struct pair	p[] = {
		{ "131052-308T040 123 4567", "[hetu][puhelin]" },
		{ "matti@example.fi+358401234567", "[email][puhelin]" },
		{ "040 123 4567matti@example.fi", "[puhelin][email]" },
		{ "131052-308T131052-308T", "[hetu][hetu]" },
		{ "131052" ENDASH "308T０40 709 5109", "[hetu][puhelin]" },
		{ "131052-308TFI21 1234 5600 0007 85", "[hetu][tili]" },
		/* What a match leaves is no spelling of its own. */
		{ "matti(at)kela.fi(at)kela.fi", "[email](at)kela.fi" },
		{ "a@b.fi[dot]fi", "[email]" },
		/* Not after an ordinary letter or a digit: as before. */
		{ "T040 123 4567", "T040 123 4567" },
		{ "12.0401234567", "12.0401234567" },
	};

	CHECK(p);
}

/* The worst growth: a 7-digit number everywhere, still fits and is whole. */
static void
test_growth(void **state)
{
	char	in[8 * 100 + 1], *out, *p;
	size_t	i;

	for (i = 0, p = in; i < 100; i++, p += 8)
		memcpy(p, "0123456 ", 8);
	*p = '\0';
	assert_int_equal(scrub_text(in, &out), 0);
	assert_int_equal(strlen(out), 100 * strlen("[puhelin] "));
	assert_memory_equal(out, "[puhelin] [puhelin] ", 20);
	free(out);
}

/*
 * The quick look: letters and punctuation pass as they are; anything a
 * rule might start from (a digit in any spelling, an "@", "at" after a
 * blank or a bracket, a blank, dash or invisible character outside
 * ASCII) goes through the scan. Either way the result is the scan's.
 */
static void
test_plain(void **state)
{
	static const char *const	plain[] = {
		"Sain hyvää neuvontaa ja asia hoitui kerralla, kiitos.",
		"Matka oli pitkä; odotin (liian) kauan! Ratkaisu löytyi.",
		"Välillä hankalaa - mutta hyvä. Kiitos \"kaikille\".",
		"",
		"\xd8\xa7\xd9\x84\xd8\xb4\xd9\x83\xd8\xb1",	/* Arabic */
		"\xff broken \xc3 UTF \xed\xa0\x80",	/* not UTF-8 */
	};
	static const char *const	scanned[] = {
		"Soitin numeroon, ei vastattu 3 kertaa",
		"matti(at)kela(dot)fi",
		"matti [AT] kela.fi",
		"at home",
		"tavattiin klo kolme, at work",
		"osoite x@y",
		"full-width \xef\xbc\xa6",
		"no-break\xc2\xa0space",
		"soft\xc2\xadhyphen",
		"a\xe2\x80\x8bt",
		"minus \xe2\x88\x92 sign",
	};
	char	*out = NULL, *scan = NULL;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		assert_true(scrub_plain(plain[i]));
		assert_int_equal(scrub_text(plain[i], &out), 0);
		assert_string_equal(out, plain[i]);
		free(out);
	}
	for (i = 0; i < sizeof(scanned) / sizeof(scanned[0]); i++) {
		assert_false(scrub_plain(scanned[i]));
		assert_int_equal(scrub_text(scanned[i], &out), 0);
		assert_int_equal(scrub_scan(scanned[i], &scan), 0);
		assert_string_equal(out, scan);
		free(out);
		free(scan);
	}
}

static void
test_args(void **state)
{
	char	*out = NULL;

	assert_int_equal(scrub_text(NULL, &out), -EINVAL);
	assert_null(out);
	assert_int_equal(scrub_text("x", NULL), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_hetu),
		cmocka_unit_test(test_hetu_century_signs),
		cmocka_unit_test(test_hetu_near_misses),
		cmocka_unit_test(test_phone),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_near_misses),
		cmocka_unit_test(test_hetu_spellings),
		cmocka_unit_test(test_hetu_spellings_near_misses),
		cmocka_unit_test(test_phone_spellings),
		cmocka_unit_test(test_phone_spellings_near_misses),
		cmocka_unit_test(test_business_id),
		cmocka_unit_test(test_email_spellings),
		cmocka_unit_test(test_email_spellings_near_misses),
		cmocka_unit_test(test_iban),
		cmocka_unit_test(test_length_bound),
		cmocka_unit_test(test_max),
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_glued),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
