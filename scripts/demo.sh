#!/bin/sh
# The main job on the bundled fixtures: loads every feed of fixtures/ into build/demo.db, runs
# a match (linkage, the rules, the gates) that writes its reports into build/reports/, explains
# one application's links and findings, then walks one household (A008, 林芳) through an
# archive's whole life with demonstration decisions: flagged, reviewed, approved at three
# levels, noticed, objected to, approved again, archived; months later a car bought (flagged,
# on the follow-up list), then sold; above the standard for six months, exit-eligible, exited
# after three sign-offs and a notice. Beside it one relief (A007) and one rejection (A003), a
# spot check and the performance figures. The months pass on a simulated clock (faketime):
# every date below is the day each step is done on; fixtures/life/ holds the later extracts.
set -eu
cd "$(dirname "$0")/.."
db=build/demo.db
rm -rf "$db" "$db-wal" "$db-shm" build/reports build/demo.key
mkdir -p build
# the audit trail is sealed with a key kept outside the database; the demo makes its own
export XVERIFY_KEY=build/demo.key
./xverify key init
# on DATE, run xverify with the rest of the arguments against the demo database
on() {
    d=$1
    shift
    faketime "$d 10:00:00" ./xverify --db "$db" "$@"
}
step() {
    echo
    echo "== $1"
}
status=0
step "2026-11-02: the feeds of 2026-11-01 come in"
for f in fixtures/*-2026*.csv fixtures/*-2026*.xml; do
    kind=$(basename "$f")
    kind=${kind%%-2026*}
    map=""
    [ -f "fixtures/$kind.map" ] && map="--map fixtures/$kind.map"
    # shellcheck disable=SC2086
    on 2026-11-02 load "$kind" "$f" $map || status=$?
done
echo
echo "database: $db"
sqlite3 -header -column "$db" \
    "SELECT id, kind, as_of, format, encoding, rows_read AS records, rows_added AS added,
            rows_quarantined AS quarantined FROM loads ORDER BY id"
step "2026-11-02: the nightly run"
on 2026-11-02 match --out build/reports
echo
echo "the reports:"
ls -l build/reports/1/
echo
echo "one application, its links and findings explained (xverify show A006):"
on 2026-11-02 show A006

step "2026-11-02: A008 is flagged; its approval waits for a review (demonstration decisions)"
fp=$(sqlite3 "$db" "SELECT fingerprint FROM findings WHERE applicant_id = 'A008'")
on 2026-11-02 approve A008 --level grassroots --by 街道工会 || true
on 2026-11-02 review "$fp" --dismiss --by 县工会审核员 --level county \
    --reason "demo: registered in another city, certificate seen"
for level in grassroots county city; do
    on 2026-11-02 approve A008 --level "$level" --by "demo-$level"
done
step "2026-11-02: A003 (a company's legal representative) is rejected; A007 is relieved (解困)"
on 2026-11-02 reject A003 --level county --by 县工会审核员 --reason "法定代表人，经营存续"
for level in grassroots county city; do
    on 2026-11-02 relieve A007 --level "$level" --by "demo-$level" --reason 丧失劳动能力
done
step "2026-11-05: an objection during A008's notice; county and city sign off again"
on 2026-11-05 object A008 --by 社区居民 --reason "反映其名下有车，经核实无"
for level in county city; do
    on 2026-11-06 approve A008 --level "$level" --by "demo-$level"
done
step "2026-11-08: the nightly run during the notices: the notice lists (公示名单)"
on 2026-11-08 match --out build/reports >/dev/null
ls build/reports/2/ | grep notice
sed -n '/<table>/,/<\/table>/p' build/reports/2/notice-340103.html
step "2026-11-20: the run sees A008 archived (在档), A007 relieved, A003 rejected"
on 2026-11-20 match --out build/reports | head -3
sqlite3 "$db" "SELECT applicant_id, status, gate FROM gates WHERE run_id = 3 AND
               applicant_id IN ('A003', 'A007', 'A008') ORDER BY 1"
step "2027-02-02: the vehicle extract shows a car bought by A008: the follow-up list"
on 2027-02-02 load vehicle fixtures/life/vehicle-20270201.xml --map fixtures/vehicle.map
on 2027-02-02 match --out build/reports | grep -A1 '^跟进名单'
step "2027-03-02: the car is gone from the next extract; the finding with it"
on 2027-03-02 load vehicle fixtures/life/vehicle-20270301.xml --map fixtures/vehicle.map
on 2027-03-02 match --out build/reports | grep '^跟进名单'
step "2027-06-02: six months above the standard: A008 is exit-eligible and exits (脱困)"
on 2027-06-02 load social_insurance fixtures/life/social_insurance-20270601.csv
on 2027-06-02 match --out build/reports | grep -E '^(跟进名单|  EXIT_ELIGIBLE)'
for level in grassroots county city; do
    on 2027-06-02 exit A008 --level "$level" --by "demo-$level" --reason "稳定就业，收入高于标准"
done
step "2027-06-12: a spot check; the run keeps A008 in its relapse watch; the performance figures"
on 2027-06-12 sample --county 340102 --status applied --count 2 --seed 2027-06 --by 县工会 \
    --out build/reports/samples
first=$(sed -n 2p build/reports/samples/sample-1.csv | cut -d, -f3)
on 2027-06-12 spotcheck "$first" --sample 1 --result pass --by 县工会
on 2027-06-12 match --out build/reports | head -1
run=$(sqlite3 "$db" "SELECT max(id) FROM runs")
sqlite3 "$db" "SELECT applicant_id, status, gate FROM gates WHERE run_id = $run AND
               applicant_id = 'A008'"
sqlite3 "$db" "SELECT status, from_date, source FROM app_status WHERE applicant_id = 'A008'
               ORDER BY seq"
echo
cat "build/reports/$run/performance.csv"
echo
on 2027-06-12 audit
exit "$status"
