/*
 * scrub.h — removes personal data from free-text answers before they are
 * stored (DESIGN.md section 4): Finnish personal identity codes, phone
 * numbers and e-mail addresses become placeholders.
 * Return convention: 0 or a negative errno-style code.
 *
 * One left-to-right pass over the bytes, no regex. At each position the
 * three detectors are tried in the order e-mail, hetu, phone; the first
 * that matches writes its placeholder and the scan resumes after the match.
 * Every other byte is copied unchanged, so UTF-8 text stays valid. Where
 * a rule looks at the byte before, it looks at what was written: after a
 * placeholder the text starts afresh, so a second pass finds nothing (the
 * fuzz target fuzz/scrub.c checks both).
 *
 * The rules, and why they are shaped this way:
 *
 * "[email]"   local@domain.tld. The local part is a run of ASCII letters,
 *             digits, ". _ % + -" or non-ASCII bytes (people type "ä"),
 *             starting where the previous byte is none of those; the domain
 *             is two or more labels of letters, digits, "-" or non-ASCII
 *             bytes, the last one at least two ASCII letters. A dot that
 *             ends a sentence is not part of the address.
 *
 * "[hetu]"    DDMMYY C NNN K: six digits with DD 01-31 and MM 01-12, a
 *             century sign C (+ for the 1800s; - Y X W V U for the 1900s;
 *             A B C D E F for the 2000s; letters added by the 2023 reform
 *             included), three digits and a check character that is any
 *             ASCII letter or digit, in either case. The check character
 *             is NOT verified: a mistyped code still leaks a birth date
 *             and an individual number. Not preceded by a letter or digit.
 *
 * "[puhelin]" A phone number starts, where the previous byte is not a
 *             letter or digit (nor ". , : / -" right after a digit, which
 *             would make it part of a date or a decimal), with one of
 *               +D   international, D a digit 1-9;
 *               00D  international prefix used in Finland, D 1-9;
 *               (0   an area code in parentheses, "(09) 123 4567";
 *               0D   national trunk prefix, D 1-9.
 *             Groups of digits follow, separated by one space, hyphen or
 *             no-break space; after + or 00 a group in parentheses is
 *             understood ("+358 (0)40", "+1 (555) 123-4567"). A group after
 *             the first needs two digits or more, and groups stop being
 *             added once the number is long enough to be complete (10
 *             digits national, 12 international), so "040 123 4567 2 krt"
 *             keeps its "2 krt". Digits counted (without the + or 00):
 *             national 7-12, international 7-15 (E.164 allows 15); a
 *             first group longer than that is an account or case number.
 *
 * What stays, by construction: dates (12.03.2024, 2024-03-12: a "0" after
 * "." or "-" that follows a digit starts nothing), prices (12,50 €), years,
 * short numbers (room 204, 15 min), times (10:30), postcodes (00100: too
 * few digits), any number not starting with 0 or +, and percentages.
 *
 * Not caught, knowingly: spelled-out addresses ("matti at example dot fi"),
 * digits split one by one ("0 4 0 1 2 3"), names. The scrubber lowers the
 * risk in what people type by accident; the forms still ask them not to.
 */
#ifndef PALAUTE_CORE_SCRUB_H
#define PALAUTE_CORE_SCRUB_H

#define SCRUB_EMAIL	"[email]"
#define SCRUB_HETU	"[hetu]"
#define SCRUB_PHONE	"[puhelin]"

/*
 * Copy the NUL-terminated text in into a new malloc()ed string *out (the
 * caller frees it) with every match of the rules above replaced by its
 * placeholder. -EINVAL if an argument is NULL, -ENOMEM, -EOVERFLOW for a
 * text too long to double. *out is written only on success.
 */
int	scrub_text(const char *in, char **out);

#endif /* PALAUTE_CORE_SCRUB_H */
