/*
 * templated.c — earnings reports in the style of automated wire copy ("X
 * reported quarterly profit of ... Analysts had expected ...") and football
 * match reports, filled from word lists with numbers drawn from the seed.
 * A few sentences have two or three wordings chosen by the numbers (profit
 * or loss, rise or fall, win or draw), as real templates do; the rest is
 * fixed text, so two stories of one family share much of their wording.
 */
#include "templated.h"

#include "rng.h"
#include "text.h"

#include <stdio.h>
#include <string.h>

static const char *const syl_a[] = {"Nor", "Vel", "Cor", "Tran", "Ald",
                                    "Bra", "Quin", "Mar", "Sol", "Hal",
                                    "Ost", "Pen", "Ver", "Lum", "Kel",
                                    "Dex", "Ar", "Zen", "Cal", "Tor"};
static const char *const syl_b[] = {"vex", "ton", "ico", "amar", "ris",
                                    "ford", "tek", "ella", "aris", "wick",
                                    "ant", "ora", "ium", "dale", "ex",
                                    "on", "ia", "gate", "mont", "well"};
static const char *const company_kind[] = {
    "Holdings", "Group", "Technologies", "Systems", "Energy", "Foods",
    "Pharmaceuticals", "Industries", "Logistics", "Retail", "Mining",
    "Insurance", "Semiconductor", "Software", "Brands", "Motors"};
static const char *const sector[] = {
    "technology", "energy", "food", "drugmaker", "industrial", "logistics",
    "retail", "mining", "insurance", "chipmaker", "software", "consumer goods",
    "carmaker", "telecoms", "media", "healthcare"};
static const char *const cities[] = {
    "London", "Manchester", "Edinburgh", "Leeds", "Bristol", "Birmingham",
    "New York", "Chicago", "Boston", "Dallas", "Toronto", "Frankfurt",
    "Paris", "Amsterdam", "Dublin", "Zurich", "Singapore", "Sydney"};
static const char *const first_names[] = {
    "James", "Sarah", "David", "Emma", "Michael", "Laura", "Robert", "Anna",
    "Thomas", "Claire", "Daniel", "Rachel", "Mark", "Helen", "Paul", "Sophie",
    "Peter", "Kate", "Andrew", "Lucy", "Jonathan", "Maria", "Simon", "Julia"};
static const char *const surnames[] = {
    "Harper", "Whitfield", "Okafor", "Lindqvist", "Moreau", "Brennan",
    "Castillo", "Nakamura", "Fletcher", "Kowalski", "Ashworth", "Delgado",
    "Pritchard", "Osei", "Hartmann", "Gallagher", "Rossi", "Mbeki",
    "Sutherland", "Novak", "Caldwell", "Ferreira", "Lawson", "Quinlan"};
static const char *const weekdays[] = {"Monday", "Tuesday", "Wednesday",
                                       "Thursday", "Friday", "Saturday",
                                       "Sunday"};
static const char *const team_towns[] = {
    "Ashford", "Millbrook", "Kingsbridge", "Eastwick", "Harrowgate",
    "Northfield", "Westbury", "Fairhaven", "Redhill", "Stonebridge",
    "Brookfield", "Glenmore", "Highcliffe", "Larkhill", "Newhaven",
    "Pinecrest", "Rosewood", "Silverdale", "Thornbury", "Valemount",
    "Copperfield", "Dunmore", "Greystone", "Meadowbank"};
static const char *const team_kind[] = {"United", "City", "Rovers",
                                        "Athletic", "Town", "Wanderers",
                                        "Albion", "County"};
static const char *const grounds[] = {"Park", "Road", "Lane", "Stadium",
                                      "Meadow", "Ground"};

#define PICK(r, arr) (arr[bg_rng_below((r), sizeof arr / sizeof arr[0])])

const char *bg_template_name(bg_template t)
{
    return t == BG_TEMPLATE_EARNINGS ? "earnings" : "sports";
}

static void person(bg_rng *r, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s %s", PICK(r, first_names), PICK(r, surnames));
}

static void earnings(bg_rng *r, bg_buf *title, bg_buf *t)
{
    char co[64], ticker[8], ceo[64], analyst[64];
    const char *a = PICK(r, syl_a), *b = PICK(r, syl_b);
    snprintf(co, sizeof co, "%s%s %s", a, b, PICK(r, company_kind));
    ticker[0] = bg_upper(a[0]);
    ticker[1] = bg_upper(a[1]);
    ticker[2] = bg_upper(b[0]);
    ticker[3] = bg_upper(b[1]);
    ticker[4] = '\0';
    person(r, ceo, sizeof ceo);
    person(r, analyst, sizeof analyst);
    int q = (int)bg_rng_range(r, 1, 4);
    double rev = bg_rng_uniform(r, 120, 9000);
    double rev_chg = bg_rng_uniform(r, -18, 25);
    double prev_rev = rev / (1 + rev_chg / 100);
    double margin = bg_rng_uniform(r, -0.08, 0.18);
    double net = rev * margin;
    double prev_net = prev_rev * bg_rng_uniform(r, -0.05, 0.16);
    double shares = bg_rng_uniform(r, 40, 900);
    double eps = net / shares, prev_eps = prev_net / shares;
    double est_eps = eps + bg_rng_uniform(r, -0.12, 0.12);
    double est_rev = rev * bg_rng_uniform(r, 0.95, 1.05);
    double move = bg_rng_uniform(r, 0.4, 11.0);
    int beat = eps >= est_eps;
    const char *wd = PICK(r, weekdays);

    bg_buf_printf(title, "%s %s quarterly %s, %s forecasts", co,
                  net >= 0 ? "posts" : "reports", net >= 0 ? "profit" : "loss",
                  beat ? "beats" : "misses");

    bg_buf_printf(t, "%s (%s) on %s reported a %s-quarter %s of $%.1f million, "
                  "or %s$%.2f per share, compared with %s of $%.1f million, "
                  "or %s$%.2f per share, a year earlier.",
                  co, ticker, wd,
                  q == 1 ? "first" : q == 2 ? "second" : q == 3 ? "third" : "fourth",
                  net >= 0 ? "profit" : "loss", net >= 0 ? net : -net,
                  eps < 0 ? "-" : "", eps < 0 ? -eps : eps,
                  prev_net >= 0 ? "a profit" : "a loss",
                  prev_net >= 0 ? prev_net : -prev_net, prev_eps < 0 ? "-" : "",
                  prev_eps < 0 ? -prev_eps : prev_eps);
    bg_buf_printf(t, "\n\nRevenue %s %.1f%% to $%.1f million from $%.1f "
                  "million. Analysts polled by FactSet had expected earnings "
                  "of $%.2f per share on revenue of $%.1f million.",
                  rev_chg >= 0 ? "rose" : "fell", rev_chg >= 0 ? rev_chg : -rev_chg,
                  rev, prev_rev, est_eps, est_rev);
    bg_buf_printf(t, "\n\nThe %s-based %s company said it %s full-year revenue "
                  "of between $%.0f million and $%.0f million.",
                  PICK(r, cities), PICK(r, sector),
                  bg_rng_chance(r, 0.5) ? "expects" : "now expects",
                  rev * 3.8, rev * 4.2);
    bg_buf_printf(t, "\n\nChief executive %s said the results %s. \"We %s, "
                  "and we remain focused on disciplined growth and returns to "
                  "shareholders,\" %s said.",
                  ceo,
                  beat ? "showed the strength of the business"
                       : "reflected a difficult market",
                  beat ? "delivered another quarter of solid progress"
                       : "faced headwinds this quarter",
                  strchr(ceo, ' ') + 1);
    bg_buf_printf(t, "\n\n%s, an analyst at %s%s Securities, said the "
                  "outlook was %s.",
                  analyst, PICK(r, syl_a), PICK(r, syl_b),
                  beat ? "encouraging" : "cautious");
    bg_buf_printf(t, "\n\nShares of %s %s %.1f%% in %s trading. The stock has "
                  "%s %.0f%% since the start of the year.",
                  co, beat ? "rose" : "fell", move,
                  bg_rng_chance(r, 0.5) ? "after-hours" : "pre-market",
                  bg_rng_chance(r, 0.6) ? "risen" : "fallen",
                  bg_rng_uniform(r, 1, 40));
    bg_buf_puts(t, "\n\nThis story was generated automatically from the "
                   "company's results and market data.");
}

/* "st", "nd", "rd" or "th" for n (11th, 12th, 13th, 21st, 22nd ...). */
static const char *ordinal(int n)
{
    if (n % 100 >= 11 && n % 100 <= 13)
        return "th";
    return n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
}

/* A team name; returns its town (for the ground's name). */
static const char *team(bg_rng *r, char *buf, size_t cap)
{
    const char *town = PICK(r, team_towns);
    snprintf(buf, cap, "%s %s", town, PICK(r, team_kind));
    return town;
}

static void sports(bg_rng *r, bg_buf *title, bg_buf *t)
{
    char home[64], away[64], s1[64], s2[64], mgr[64], ref[64];
    const char *home_town = team(r, home, sizeof home);
    do
        team(r, away, sizeof away);
    while (strcmp(home, away) == 0);
    person(r, s1, sizeof s1);
    person(r, s2, sizeof s2);
    person(r, mgr, sizeof mgr);
    person(r, ref, sizeof ref);
    int hg = (int)bg_rng_below(r, 5), ag = (int)bg_rng_below(r, 4);
    int m1 = (int)bg_rng_range(r, 3, 44), m2 = (int)bg_rng_range(r, 46, 89);
    int pos = (int)bg_rng_range(r, 1, 24), pts = (int)bg_rng_range(r, 8, 80);
    int att = (int)bg_rng_range(r, 2500, 52000);
    const char *wd = PICK(r, weekdays);
    const char *res = hg > ag ? "beat" : hg < ag ? "lost to" : "drew with";

    bg_buf_printf(title, "%s %s %s %d-%d", home, res, away, hg, ag);
    bg_buf_printf(t, "%s %s %s %d-%d at %s %s on %s.", home, res, away, hg, ag,
                  home_town, PICK(r, grounds), wd);
    if (hg + ag == 0)
        bg_buf_printf(t, "\n\nNeither side could find a way through in a "
                      "goalless game, with %s going closest for %s in the "
                      "%d%s minute.", s1, home, m1, ordinal(m1));
    else
        bg_buf_printf(t, "\n\n%s opened the scoring in the %d%s minute when "
                      "%s %s from close range after a corner was only half "
                      "cleared.", hg >= ag ? home : away, m1, ordinal(m1), s1,
                      bg_rng_chance(r, 0.5) ? "fired home" : "headed in");
    if (hg + ag > 1)
        bg_buf_printf(t, " %s added another in the %d%s minute to make it "
                      "%d-%d.", s2, m2, ordinal(m2), hg, ag);
    bg_buf_printf(t, "\n\nThe result leaves %s %d%s in the table on %d "
                  "points, %d points %s %s.",
                  home, pos, ordinal(pos),
                  pts, (int)bg_rng_range(r, 1, 12),
                  bg_rng_chance(r, 0.5) ? "behind" : "ahead of", away);
    bg_buf_printf(t, "\n\n%s manager %s said: \"%s We have to take the "
                  "positives and move on to the next game.\"",
                  home, mgr,
                  hg > ag ? "I thought we deserved the win today."
                  : hg < ag ? "It was a disappointing afternoon for us."
                            : "A draw is probably a fair result.");
    bg_buf_printf(t, "\n\nAttendance: %d. Referee: %s.", att, ref);
}

int bg_templated(bg_template tpl, uint64_t seed, bg_buf *title, bg_buf *text,
                 doppel_error *err)
{
    bg_rng r;
    bg_rng_seed(&r, seed);
    if (tpl == BG_TEMPLATE_EARNINGS)
        earnings(&r, title, text);
    else
        sports(&r, title, text);
    if (title->oom || text->oom)
        return bg_error(err, DOPPEL_ERR_NOMEM, "templated: out of memory");
    return 0;
}
