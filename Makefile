# xverify: feeds flow in through ingest/, are linked in matchers/, and leave through reports/.
#   make            build ./xverify
#   make test       build and run every test (installs missing Debian packages first)
#   make demo       load the bundled fixtures and show what xverify does
#   make bench      the speed benchmark (see tests/bench/run)
#   make DEVELOPER=1       warnings are errors
#   make SANITIZE=address,undefined test
#   make install PREFIX=/usr/local DESTDIR=...

PKGS     := sqlite3 libxml-2.0 libpcre2-8 opencc libxxhash libcrypto libzip xlsxwriter
CC       ?= cc
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
CFLAGS   ?= -O2 -g
# override: these stay when CFLAGS is given on the command line (make CFLAGS='-O0 -g')
override CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-missing-field-initializers \
                   -Wmissing-prototypes -Wstrict-prototypes -Wformat=2
ifeq ($(DEVELOPER),1)
override CFLAGS += -Werror
endif
# every object also writes which headers it read (build/*.d), so that it is rebuilt when they change
DEPFLAGS  = -MMD -MP
ifneq ($(SANITIZE),)
override CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
override LDFLAGS += -fsanitize=$(SANITIZE)
endif

# pkg-config runs only when building, after scripts/deps.sh made sure it exists
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
# libcsv ships no .pc file in Debian: it is linked by name
PKG_LIBS   = $(shell pkg-config --libs $(PKGS)) -lcsv -lm -lpthread

# the stages, in the order data flows through them; cli/ holds main and the commands
ROOMS   := core ingest matchers matchers/rules reports procedures cli
LIBSRC  := $(filter-out cli/xverify.c,$(foreach r,$(ROOMS),$(wildcard $(r)/*.c)))
LIBOBJ  := $(LIBSRC:%.c=build/%.o)

all: xverify

deps:
	@scripts/deps.sh

# objects are rebuilt when the flags change (a SANITIZE build after a plain one)
FLAGS_NOW := $(CC) $(CFLAGS) $(LDFLAGS)
build/.flags: FORCE
	@mkdir -p build
	@if [ "$$(cat $@ 2>/dev/null)" != "$(FLAGS_NOW)" ]; then echo "$(FLAGS_NOW)" > $@; fi

build/%.o: %.c build/.flags | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DEPFLAGS) $(PKG_CFLAGS) -DOPENCC_VERSION='"$(shell pkg-config --modversion opencc)"' -c $< -o $@

build/libxverify.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $^

xverify: build/cli/xverify.o build/libxverify.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# the unit tests: one file per module tested (tests/unit/)
UNITOBJ := $(patsubst tests/unit/%.c,build/unitobj/%.o,$(wildcard tests/unit/*.c))
build/unitobj/%.o: tests/unit/%.c build/.flags | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DEPFLAGS) $(PKG_CFLAGS) -c $< -o $@
build/tests/unit: $(UNITOBJ) build/libxverify.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# fuzz targets (tests/fuzz): each replays its seed corpus in make test; make fuzz builds the
# libFuzzer versions with clang (FUZZ_SECONDS each when run through make fuzz-run)
FUZZ_TARGETS := csv xml kv norm mask names xlsx
FUZZ_REPLAY  := $(FUZZ_TARGETS:%=build/tests/replay_%)
build/tests/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/memfile.c tests/fuzz/fuzz.h build/libxverify.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(LDFLAGS) -o $@ tests/fuzz/fuzz_$*.c tests/fuzz/replay.c tests/fuzz/memfile.c build/libxverify.a $(PKG_LIBS)

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 120
FUZZ_FLAGS   := -g -O1 -std=c11 -D_GNU_SOURCE -fno-omit-frame-pointer
build/fuzzobj/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(DEPFLAGS) -fsanitize=fuzzer-no-link,address,undefined $(PKG_CFLAGS) \
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

GENSRC := $(wildcard fixtures/gen/*.c)
build/gen: $(GENSRC) fixtures/gen/gen.h build/.flags
	@mkdir -p build
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(GENSRC)

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

# the manual page is printed by the program from its command table
build/xverify.1: xverify
	./xverify --man > $@

install: xverify build/xverify.1
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 xverify $(DESTDIR)$(BINDIR)/xverify
	install -m 644 build/xverify.1 $(DESTDIR)$(MANDIR)/man1/xverify.1

clean:
	rm -rf build xverify

-include $(shell find build -name '*.d' 2>/dev/null)

.PHONY: all deps test demo bench install clean fuzz fuzz-run valgrind FORCE
