# xverify: feeds flow in through ingest/, are linked in matchers/, and leave through reports/.
#   make            build ./xverify
#   make test       build and run every test (installs missing Debian packages first)
#   make demo       load the bundled fixtures and show what xverify does
#   make bench      the speed benchmark (see tests/bench/run)
#   make DEVELOPER=1       warnings are errors
#   make SANITIZE=address,undefined test
#   make install PREFIX=/usr/local DESTDIR=...

PKGS     := sqlite3 libxml-2.0 libpcre2-8 opencc libxxhash libcrypto
CC       ?= cc
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
CFLAGS   ?= -O2 -g
# override: these stay when CFLAGS is given on the command line (make CFLAGS='-O0 -g')
override CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-missing-field-initializers
ifeq ($(DEVELOPER),1)
override CFLAGS += -Werror
endif
ifneq ($(SANITIZE),)
override CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
override LDFLAGS += -fsanitize=$(SANITIZE)
endif

# pkg-config runs only when building, after scripts/deps.sh made sure it exists
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
# libcsv ships no .pc file in Debian: it is linked by name
PKG_LIBS   = $(shell pkg-config --libs $(PKGS)) -lcsv -lm -lpthread

CORE    := core/audit.c core/cmd_nightly.c core/err.c core/kinds.c core/kv.c core/policy.c core/run.c core/store.c core/util.c
INGEST  := ingest/cmd_load.c ingest/csvin.c ingest/loader.c ingest/mapping.c ingest/norm.c \
           ingest/source.c ingest/vdiff.c ingest/writer.c ingest/xmlin.c
MATCH   := matchers/cmd_match.c matchers/cmd_show.c matchers/compare.c matchers/link.c \
           matchers/match.c matchers/rules.c
REPORTS := reports/cmd_approve.c reports/cmd_audit.c reports/cmd_diff.c reports/cmd_report.c \
           reports/cmd_rerun.c reports/cmd_review.c reports/rpt.c
LIBSRC  := $(filter-out core/xverify.c,$(CORE) $(INGEST) $(MATCH) $(REPORTS))
LIBOBJ  := $(LIBSRC:%.c=build/%.o)
HEADERS := $(wildcard core/*.h ingest/*.h matchers/*.h reports/*.h)

all: xverify

deps:
	@scripts/deps.sh

# objects are rebuilt when the flags change (a SANITIZE build after a plain one)
FLAGS_NOW := $(CC) $(CFLAGS) $(LDFLAGS)
build/.flags: FORCE
	@mkdir -p build
	@if [ "$$(cat $@ 2>/dev/null)" != "$(FLAGS_NOW)" ]; then echo "$(FLAGS_NOW)" > $@; fi

build/%.o: %.c $(HEADERS) build/.flags | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -DOPENCC_VERSION='"$(shell pkg-config --modversion opencc)"' -c $< -o $@

build/libxverify.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $^

xverify: build/core/xverify.o build/libxverify.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

build/tests/unit: build/tests/unit.o build/libxverify.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# fuzz targets (tests/fuzz): each replays its seed corpus in make test; make fuzz builds the
# libFuzzer versions with clang (FUZZ_SECONDS each when run through make fuzz-run)
FUZZ_TARGETS := csv xml kv norm
FUZZ_REPLAY  := $(FUZZ_TARGETS:%=build/tests/replay_%)
build/tests/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/memfile.c tests/fuzz/fuzz.h build/libxverify.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(LDFLAGS) -o $@ tests/fuzz/fuzz_$*.c tests/fuzz/replay.c tests/fuzz/memfile.c build/libxverify.a $(PKG_LIBS)

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 120
FUZZ_FLAGS   := -g -O1 -std=c11 -D_GNU_SOURCE -fno-omit-frame-pointer
build/fuzzobj/%.o: %.c $(HEADERS) | deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link,address,undefined $(PKG_CFLAGS) \
	    -DOPENCC_VERSION='"$(shell pkg-config --modversion opencc)"' -c $< -o $@
build/fuzz/libxverify.a: $(LIBSRC:%.c=build/fuzzobj/%.o)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/memfile.c tests/fuzz/fuzz.h build/fuzz/libxverify.a
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS) -o $@ \
	    $< tests/fuzz/memfile.c build/fuzz/libxverify.a $(PKG_LIBS)

fuzz:
	@scripts/deps.sh clang
	@$(MAKE) --no-print-directory $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)

fuzz-run: fuzz
	@mkdir -p build/fuzz/artifacts
	@for t in $(FUZZ_TARGETS); do mkdir -p build/fuzz/corpus-$$t && \
	    build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -close_fd_mask=2 \
	        -artifact_prefix=build/fuzz/artifacts/$$t- \
	        build/fuzz/corpus-$$t tests/fuzz/corpus/$$t || exit 1; done

# the disk-full shim of the I/O-failure tests (LD_PRELOAD)
build/tests/iofail.so: tests/iofail.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -fPIC -shared -D_GNU_SOURCE -o $@ $< -ldl

build/gen: fixtures/gen.c build/.flags
	@mkdir -p build
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ fixtures/gen.c

test: xverify build/tests/unit build/gen build/tests/iofail.so $(FUZZ_REPLAY)
	@tests/run

demo: xverify
	@scripts/demo.sh

# the end-to-end cases with every xverify under valgrind (the kill -9 timing cases left out)
valgrind: xverify build/tests/unit build/gen build/tests/iofail.so $(FUZZ_REPLAY)
	@scripts/deps.sh valgrind
	@XV_VALGRIND=1 XV_SKIP=crash tests/run

bench: xverify build/gen
	@tests/bench/run

install: xverify
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 xverify $(DESTDIR)$(BINDIR)/xverify

clean:
	rm -rf build xverify

.PHONY: all deps test demo bench install clean fuzz fuzz-run valgrind FORCE
