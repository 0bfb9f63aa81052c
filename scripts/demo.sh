#!/bin/sh
# The main job on the bundled fixtures: loads every feed of fixtures/ into build/demo.db,
# runs a match (linkage, the rules, the gates) that writes its reports into build/reports/,
# explains one application's links and findings, and walks one application through review
# and approval with demonstration decisions.
set -eu
cd "$(dirname "$0")/.."
db=build/demo.db
rm -rf "$db" "$db-wal" "$db-shm" build/reports build/demo.key
mkdir -p build
# the audit trail is sealed with a key kept outside the database; the demo makes its own
export XVERIFY_KEY=build/demo.key
./xverify key init
status=0
for f in fixtures/*-2026*.csv fixtures/*-2026*.xml; do
    kind=$(basename "$f")
    kind=${kind%%-2026*}
    map=""
    [ -f "fixtures/$kind.map" ] && map="--map fixtures/$kind.map"
    # shellcheck disable=SC2086
    ./xverify --db "$db" load "$kind" "$f" $map || status=$?
done
echo
echo "database: $db"
sqlite3 -header -column "$db" \
    "SELECT id, kind, as_of, format, encoding, rows_read AS records, rows_added AS added,
            rows_quarantined AS quarantined FROM loads ORDER BY id"
echo
./xverify --db "$db" match --out build/reports
echo
echo "the reports:"
ls -l build/reports/1/
echo
echo "one application, its links and findings explained (xverify show A006):"
./xverify --db "$db" show A006
echo
echo "review and approval, as a county reviewer would do them (demonstration decisions):"
fp=$(sqlite3 "$db" "SELECT fingerprint FROM findings WHERE applicant_id = 'A008'")
./xverify --db "$db" approve A008 --level grassroots --by 街道工会 || true
./xverify --db "$db" review "$fp" --dismiss --by 县工会审核员 --level county \
    --reason "demo: registered in another city, certificate seen"
./xverify --db "$db" approve A008 --level grassroots --by 街道工会
./xverify --db "$db" audit
exit "$status"
