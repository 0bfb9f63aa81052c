/* commands.c: the table of commands and their options: what the parser accepts, what --help
 * and the manual page say. */
#include <stddef.h>
#include "cmd.h"

#define RUN_ABOUT "RUN is a run number; without it, the latest run."

const struct cmd xv_commands[] = {
    { "load", cmd_load, "KIND FILE", 2, 2, "expected KIND and FILE",
      "load one feed file as a snapshot (or, for applicant and member, an upsert)",
      "KIND is one of applicant, member, household, social_insurance, business, property, "
      "vehicle, standard, or its Chinese name. The file is CSV or XML, UTF-8 or GB18030. A "
      "file loaded before (same content and mapping) is a no-op. Records that cannot be read "
      "are quarantined with their line; over the policy's limit the whole file is refused.",
      { { "as-of", "DATE", 0, 0, 0, 0, "the date the extract describes (default: the mapping's, "
                                    "the file name's, or today)" },
        { "map", "FILE", 0, 0, 0, 0, "a mapping file: source columns, value maps, layout" },
        { "encoding", "auto|utf-8|gb18030", 0, 0, 0, 0,
          "the file's encoding (default: detected)" } }, .creates = 1 },
    { "match", cmd_match, "", 0, 0, NULL,
      "a run: link, evaluate the rules, set the gates and write the reports; prints its id",
      "Every application in scope is linked to the feed records its run can see, the rules "
      "are evaluated and each application gets a gate: BLOCK, REVIEW or CLEAR. The run is "
      "committed before its reports are written.",
      { { "as-of", "DATE", 0, 0, 0, 0, "the run's date (default: the newest load's)" },
        { "applicant", "ID", 0, 1, 0, 0, "only this application (may be repeated)" },
        { "policy", "FILE", 0, 0, 0, 0, "the policy file (default: the built-in policy)" },
        { "out", "DIR", 0, 0, 0, 0, "the reports' parent folder (default: reports)" },
        { "lang", "zh|en", 0, 0, 0, 1, "the language of the files for people (default: zh, "
                                        "Chinese); recorded with the run" } },
      .creates = 1 },
    { "show", cmd_show, "APPLICANT", 1, 1, "expected one APPLICANT",
      "every link of an application with its per-field weights, and its findings",
      RUN_ABOUT,
      { { "run", "RUN", 0, 0, 0, 0, "the run to show (default: the latest)" },
        { "unmasked", NULL, 0, 0, 0, 0, "ID numbers in full (audited: needs --by, --reason)" },
        { "by", "NAME", 0, 0, 0, 0, "who asks for ID numbers in full" },
        { "reason", "TEXT", 0, 0, 0, 0, "why" } } },
    { "report", cmd_report, "[RUN]", 0, 1, NULL,
      "(re)write a run's reports into DIR/RUN/ (default reports/RUN/)", RUN_ABOUT,
      { { "out", "DIR", 0, 0, 0, 0, "the reports' parent folder (default: reports)" },
        { "county", "CODE", 0, 0, 0, 0, "only this county's page" },
        { "unmasked", NULL, 0, 0, 0, 0, "ID numbers in full, into DIR/RUN-unmasked/ (audited: "
                                        "needs --by, --reason)" },
        { "by", "NAME", 0, 0, 0, 0, "who asks for ID numbers in full" },
        { "reason", "TEXT", 0, 0, 0, 0, "why" } } },
    { "review", cmd_review, "[FINGERPRINT]", 0, 1, NULL,
      "decide a finding, or many from a returned file; a decision holds while its evidence "
      "is unchanged",
      "A block finding can be dismissed at city level only. --import FILE takes a CSV with the "
      "columns fingerprint, decision (dismiss or confirm, also in Chinese) and reason: every "
      "row is checked as if typed alone, and the file is taken whole or refused whole (exit 3, each "
      "bad row named FILE:LINE).",
      { { "dismiss", NULL, 0, 0, 1, 0, "the finding does not hold" },
        { "confirm", NULL, 0, 0, 1, 0, "the finding holds" },
        { "import", "FILE", 0, 0, 1, 0, "the decisions of a returned file" },
        { "by", "NAME", 1, 0, 0, 0, "who decides" },
        { "level", "county|city", 1, 0, 0, 1, "the level the reviewer decides at" },
        { "reason", "TEXT", 0, 0, 0, 0, "why (required for one finding)" } } },
    { "approve", cmd_approve, "APPLICANT", 1, 1, "expected one APPLICANT",
      "approve a CLEAR application at one level; after the city, public notice",
      "Levels sign off in order: grassroots, county, city. The gate is the one of the latest "
      "run that checked the application, which must have seen every load.",
      { { "level", "grassroots|county|city", 1, 0, 0, 1, "the level that approves" },
        { "by", "NAME", 1, 0, 0, 0, "who approves" } } },
    { "exit", cmd_exit, "APPLICANT", 1, 1, "expected one APPLICANT",
      "sign off an archived household's exit from hardship at one level",
      "Levels in order: grassroots, county, city, each on the latest official run, which must "
      "hold EXIT_ELIGIBLE in force and no open block finding. After the city's, public notice "
      "of notice.days days from the next day, then exited.",
      { { "level", "grassroots|county|city", 1, 0, 0, 1, "the level that signs off" },
        { "by", "NAME", 1, 0, 0, 0, "who signs off" },
        { "reason", "TEXT", 1, 0, 0, 0, "why the household leaves hardship" } } },
    { "relieve", cmd_relieve, "APPLICANT", 1, 1, "expected one APPLICANT",
      "sign off an archived household's relief at one level",
      "Levels in order, each on the latest official run, which must hold no open block "
      "finding. After the city's, public notice, then relieved.",
      { { "level", "grassroots|county|city", 1, 0, 0, 1, "the level that signs off" },
        { "by", "NAME", 1, 0, 0, 0, "who signs off" },
        { "reason", "CODE", 1, 0, 0, 0, "why it cannot leave hardship: one of the three codes "
                                          "of workflow.md (unable to work, a serious illness, "
                                          "other), in Chinese" },
        { "note", "TEXT", 0, 0, 0, 0, "more about the reason" } } },
    { "object", cmd_object, "APPLICANT", 1, 1, "expected one APPLICANT",
      "record an objection during a public notice",
      "The notice stops, the county and city sign-offs of its procedure are void (the "
      "grassroots one stands) and the application goes back to county review. Refused after "
      "the notice ended.",
      { { "by", "NAME", 1, 0, 0, 0, "who records it" },
        { "reason", "TEXT", 1, 0, 0, 0, "the objection" } } },
    { "reject", cmd_reject, "APPLICANT", 1, 1, "expected one APPLICANT",
      "reject an application not yet archived; final",
      "The same people may apply again under a new applicant id.",
      { { "level", "grassroots|county|city", 1, 0, 0, 1, "the level that rejects" },
        { "by", "NAME", 1, 0, 0, 0, "who rejects" },
        { "reason", "TEXT", 1, 0, 0, 0, "why" } } },
    { "withdraw", cmd_withdraw, "APPLICANT", 1, 1, "expected one APPLICANT",
      "record the applicant's withdrawal of an application not yet archived; final",
      NULL,
      { { "by", "NAME", 1, 0, 0, 0, "who records it (a reviewer of the county)" },
        { "reason", "TEXT", 1, 0, 0, 0, "why" } } },
    { "sample", cmd_sample, "", 0, 0, NULL,
      "draw a reproducible spot-check sample of a county's households in one status",
      "Each household of the county with that status today is ordered by a hash of its id "
      "under the seed, and the first COUNT are drawn: the same seed and store state give the "
      "same sample. The sample goes into the audit trail; its list is written as "
      "DIR/sample-ID.csv (a form to fill in) and DIR/sample-ID.html (a printable page).",
      { { "county", "CODE", 1, 0, 0, 0, "the county" },
        { "status", "applied|notice|archived|exited|relieved|rejected|withdrawn", 1, 0, 0, 1,
          "the status sampled" },
        { "count", "N", 1, 0, 0, 0, "how many households" },
        { "seed", "S", 1, 0, 0, 0, "the seed (any text): keep it to show the draw was fair" },
        { "by", "NAME", 1, 0, 0, 0, "who draws it (a reviewer of the county)" },
        { "out", "DIR", 0, 0, 0, 0, "where the list goes (default: reports)" },
        { "lang", "zh|en", 0, 0, 0, 1, "the list's language (default: zh)" } } },
    { "spotcheck", cmd_spotcheck, "APPLICANT", 1, 1, "expected one APPLICANT",
      "record the field result of a household drawn in a sample",
      "A fail opens SPOTCHECK_FAILED (block) on the application from the next run on, until "
      "a city reviewer dismisses it or a later sample's check passes.",
      { { "sample", "ID", 1, 0, 0, 0, "the sample it was drawn in" },
        { "result", "pass|fail", 1, 0, 0, 1, "what the field check found" },
        { "by", "NAME", 1, 0, 0, 0, "who checked (a reviewer of the county)" },
        { "note", "TEXT", 0, 0, 0, 0, "what was found (required for a fail)" } } },
    { "nightly", cmd_nightly, "", 0, 0, NULL,
      "load the inbox's new files in as-of order, then a match over everything in scope",
      "Files are named KIND-YYYYMMDD[-anything].csv|xml; KIND.map beside them is their "
      "mapping. Loaded files move to done/, refused ones to rejected/ with a .error file.",
      { { "inbox", "DIR", 1, 0, 0, 0, "the folder the night's files are in" },
        { "out", "DIR", 0, 0, 0, 0, "the reports' parent folder (default: reports)" },
        { "policy", "FILE", 0, 0, 0, 0, "the policy file (default: the built-in policy)" },
        { "lang", "zh|en", 0, 0, 0, 1, "the language of the files for people (default: zh)" } },
      .creates = 1 },
    { "rerun", cmd_rerun, "[RUN]", 0, 1, NULL,
      "re-execute a past run on the data as it stood; compare its reports byte for byte",
      RUN_ABOUT " Nothing in the store changes; the reports go to DIR/RUN-rerun/.",
      { { "out", "DIR", 0, 0, 0, 0, "the reports' parent folder (default: reports)" } } },
    { "diff", cmd_diff, "RUN_A RUN_B", 2, 2, "expected two runs",
      "the findings and gates that changed between two runs", NULL, { { NULL } } },
    { "audit", cmd_audit, "", 0, 0, NULL,
      "verify the audit trail: its chain, its keyed seals and every row it vouches for; print "
      "its head (exit 4 when broken)",
      "The trail is sealed with the audit key ('xverify key'), kept outside the database, so "
      "that whoever can write the database file alone cannot rewrite it; every load, run, "
      "decision, approval, status, policy and reviewer row is tied to its entry and checked "
      "both ways. The store is opened read-only. With --list, the entries after verifying: "
      "number, time, action, subject, detail and the operating-system account that acted, "
      "tab-separated, ID numbers masked. --head prints the head alone, to keep elsewhere; "
      "--expect HEAD fails unless the trail still extends it (a cut-off tail).",
      { { "list", NULL, 0, 0, 0, 0, "print the entries instead of the head" },
        { "since", "N", 0, 0, 0, 0, "with --list: only the entries after number N" },
        { "head", NULL, 0, 0, 0, 0, "print only the head, as N:SEAL" },
        { "expect", "HEAD", 0, 0, 0, 0, "fail unless the trail extends this head" },
        { "seal", NULL, 0, 0, 0, 0, "seal a trail written before keyed seals, once" } },
      .reads = 1 },
    { "key", cmd_key, "init | show", 1, 1, "expected init or show",
      "create the audit key, or show which key is in use",
      "The key file is $XVERIFY_KEY, else $XDG_CONFIG_HOME/xverify/audit.key, else "
      "~/.config/xverify/audit.key: 64 hex digits, mode 0600, owned by the account that runs "
      "xverify. 'init' never overwrites one. 'show' prints the path and the key's public id. "
      "Every command that writes the audit trail, and every audit, needs it.",
      { { NULL } } },
    { "policy", cmd_policy, "install FILE | show", 1, 2, "expected install FILE or show",
      "install the official policy, or show the one in force",
      "Only runs with the official policy on the default date (the newest load's) are "
      "official; any other run is a trial run, which no decision or approval reads. "
      "Until a policy is installed, the built-in defaults are official. An installation is "
      "recorded in the audit trail with the old and new hash.",
      { { "by", "NAME", 0, 0, 0, 0, "who installs it (required for install)" } } },
    { "check", cmd_check, "", 0, 0, NULL,
      "check the database: SQLite's integrity and foreign keys, the audit chain, the runs' "
      "loads, the feeds' keys (exit 4 when any fails)", NULL, { { NULL } }, .reads = 1 },
    { NULL },
};
