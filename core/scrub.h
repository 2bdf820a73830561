/*
 * scrub.h — removes personal data from free-text answers before they are
 * stored (DESIGN.md section 4): Finnish personal identity codes, phone
 * numbers, e-mail addresses and bank accounts become placeholders.
 * Return convention: 0 or a negative errno-style code.
 *
 * One left-to-right pass over the code points, no regex. At each one the
 * four detectors are tried in the order e-mail, hetu, account, phone; the
 * first that matches writes its placeholder and the scan resumes after
 * the match. Every other character is copied byte for byte, so UTF-8
 * text stays valid. Where a rule looks at the character before, it looks
 * at what was written: after a placeholder the text starts afresh, so a
 * second pass finds nothing (the fuzz target fuzz/scrub.c checks both).
 *
 * Any spelling. People, and the keyboards of phones, write the same code
 * in many ways, and a rule that knows only ASCII lets the others through.
 * So the detectors do not read the bytes but a view of them, one
 * character per code point, without rewriting the text:
 *   - full-width forms (U+FF01-FF5E: "０４０", "＠", "ＦＩ") read as the
 *     ASCII they stand for;
 *   - the hyphen, non-breaking hyphen, figure dash, en dash and minus
 *     sign (U+2010-2013, U+2212) read as "-";
 *   - no-break, narrow no-break, figure, thin and ideographic spaces and
 *     a tab read as a space; CR LF, CR, NEL, U+2028 and U+2029 as a line
 *     break;
 *   - the invisible ones, zero-width space, non-joiner and joiner, word
 *     joiner, byte order mark and soft hyphen, are read through as if
 *     absent: "040\u200b1234567" is "0401234567" on screen and here. A
 *     match never starts with one, and they do not count as the
 *     character before;
 *   - any other code point, and any byte that is not well-formed UTF-8,
 *     is "other": a letter to the e-mail rule ("ä"), nothing to the rest.
 * Em dashes, commas and other punctuation stay what they are. Where the
 * rules below say "blanks" they mean up to three spaces, at most one of
 * them a line break, so a code wrapped at the end of a line is one code
 * and two lines apart are two.
 *
 * The rules, and why they are shaped this way:
 *
 * "[email]"   local@domain.tld. The local part is a run of ASCII letters,
 *             digits, ". _ % + -" or other characters (people type "ä"),
 *             starting where the character before is none of those; the
 *             domain is two or more labels of letters, digits, "-" or
 *             other characters, the last one at least two ASCII letters.
 *             A dot that ends a sentence is not part of the address. The
 *             "@" may be "(at)", "[at]" or "{at}" in either case, blanks
 *             around any of them allowed, or a bare "at" with blanks on
 *             both sides; a "." may be "(dot)", "[dot]", "{dot}" or a
 *             bare "dot" likewise, the spellings people use to hide an
 *             address from robots, not from us. A bare " at " address
 *             must end in a common top-level domain (.fi, .com, ...):
 *             "I was at home.Then" is English, not an address.
 *
 * "[hetu]"    DDMMYY C NNN K: six digits with DD 01-31 and MM 01-12, a
 *             century sign C (+ for the 1800s; - Y X W V U for the 1900s;
 *             A B C D E F for the 2000s; letters added by the 2023 reform
 *             included), three digits and a check character that is any
 *             ASCII letter or digit, in either case. The check character
 *             is NOT verified: a mistyped code still leaks a birth date
 *             and an individual number. Not preceded by a letter or
 *             digit. A line break, with blanks around it, may stand on
 *             either side of C ("131052-" at the end of a line).
 *
 * "[tili]"    A Finnish bank account as an IBAN: "FI" in either case, not
 *             preceded by a letter or digit, then 16 digits with blanks
 *             or a dash allowed between any two ("FI21 1234 5600 0007
 *             85"), and no letter or digit right after: a longer number
 *             is something else.
 *
 * "[puhelin]" A phone number starts, where the character before is not a
 *             letter or digit (nor ". , : / -" right after a digit, which
 *             would make it part of a date or a decimal), with one of
 *               +D   international, D a digit 1-9;
 *               00D  international prefix used in Finland, D 1-9;
 *               (0   an area code in parentheses, "(09) 123 4567";
 *               0D   national trunk prefix, D 1-9.
 *             Groups of digits follow, separated by blanks, by a dash
 *             with or without blanks around it, by a "." with none
 *             ("040.709.5109"), or, right after the area code of a
 *             national number (2-4 digits), by a "/" ("040/709 5109");
 *             after + or 00 a group in parentheses is understood
 *             ("+358 (0)40", "+1 (555) 123-4567"). A group after the
 *             first needs two digits or more, one after a "." three, and
 *             the digits after a "/" must be five or more; groups stop
 *             being added once the number is long enough to be complete
 *             (10 digits national, 12 international), so "040 123 4567 2
 *             krt" keeps its "2 krt". Digits counted (without the + or
 *             00): national 7-12, international 7-15 (E.164 allows 15); a
 *             first group longer than that is an account or case number.
 *             Not a phone number, whatever follows: a date whose day
 *             starts with 0 (DD.MM.YY or DD.MM.YYYY, with ".", "-" or "/"
 *             twice), and a business id (Y-tunnus, seven digits, a dash
 *             and one check digit, "0112038-9", which the phone rule would
 *             turn into "[puhelin]-9").
 *
 * What stays, by construction: dates (12.03.2024, 2024-03-12, 01.04.2024:
 * a "0" after "." or "-" that follows a digit starts nothing, and a day
 * that starts with 0 is a date), times (10:30, 08.00-16.00: a group after
 * a "." needs three digits), prices (12,50 €), years, short numbers (room
 * 204, 15 min), postcodes (00100: too few digits), case numbers (045/2024,
 * 1234/2024), business ids, any number not starting with 0 or +, and
 * percentages.
 *
 * Not caught, knowingly: digits split one by one ("0 4 0 1 2 3"), a hetu
 * without its century sign, accounts of other countries, names. The
 * scrubber lowers the risk in what people type by accident; the forms
 * still ask them not to.
 *
 * Length. A placeholder is never more than 9/7 of what it replaces (7
 * digits become "[puhelin]", the shortest address "a@b.cd" becomes
 * "[email]"; a hetu and an account only shrink), in bytes and in code
 * points alike, and everything else is copied: scrub_max_length().
 */
#ifndef PALAUTE_CORE_SCRUB_H
#define PALAUTE_CORE_SCRUB_H

#include <stdbool.h>
#include <stddef.h>

#define SCRUB_EMAIL	"[email]"
#define SCRUB_HETU	"[hetu]"
#define SCRUB_PHONE	"[puhelin]"
#define SCRUB_BANK	"[tili]"

/*
 * Copy the NUL-terminated text in into a new malloc()ed string *out (the
 * caller frees it) with every match of the rules above replaced by its
 * placeholder. -EINVAL if an argument is NULL, -ENOMEM, -EOVERFLOW for a
 * text too long to double. *out is written only on success.
 */
int	scrub_text(const char *in, char **out);

/*
 * Whether no rule above can match anywhere in s, by a quick look: every
 * match holds a digit, an "@" or the letters "at" after a blank or a
 * bracket, and every character that reads as one of those, or as a
 * blank, a dash or an invisible character, is ASCII or in the table of
 * spellings. A text of letters and punctuation, most comments, is then
 * copied as it is, without the rules' scan. scrub_scan() is
 * scrub_text() without the quick look; the fuzz target holds the two
 * to each other.
 */
bool	scrub_plain(const char *s);
int	scrub_scan(const char *in, char **out);

/*
 * scrub_text(), with a result of at most max code points: what a survey's
 * max_length promises. When a placeholder made the text longer than max,
 * its end gives way: the scrubbed text is cut at max (before a
 * placeholder the cut would split, never inside it) and scrubbed again,
 * since a number cut short can become one the rules catch. The cut is on
 * the scrubbed text, not on what was typed, so a code near the end is
 * never cut into a part the rules no longer see ("131052-30"). Errors as
 * scrub_text().
 */
int	scrub_text_max(const char *in, size_t max, char **out);

/*
 * The longest a text of n characters can be once scrubbed by
 * scrub_text(), counted in code points or in bytes alike: n * 9 / 7
 * rounded up (SIZE_MAX if that does not fit). Texts stored before
 * scrub_text_max() kept the limit may be this long.
 */
size_t	scrub_max_length(size_t n);

#endif /* PALAUTE_CORE_SCRUB_H */
