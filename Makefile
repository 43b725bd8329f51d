# cprof - one non-recursive Makefile.
#
#   make               build build/cprof (installs missing Debian packages first)
#   make demo          build, record examples/demo.c, show its top and flame graph
#   make pprof.test TEST=name, make pprof.bench   profile a unit test or the benchmarks
#   make test          unit tests + goldens, then the same under ASan+UBSan
#   make check         unit tests + goldens of this build only
#   make bench         cprof vs go tool pprof vs gzip on generated large profiles
#   make SANITIZE=address,undefined   sanitizer build (in build-san/)
#   make proto         regenerate the protobuf-c code (done automatically)
#   make readme        regenerate README.md's reference from the tables
#   make format        clang-format the sources; make format-check verifies
#   make fuzz FUZZ_SECONDS=N   build the libFuzzer targets with clang, run each N s
#   make fuzz-smoke    the same for FUZZ_SMOKE_SECONDS (10) each, as make test does
#
# Warnings are errors.  V=1 shows the commands.

CC ?= cc
CFLAGS ?= -O2 -g
SANITIZE ?=

ifeq ($(SANITIZE),)
O ?= build
SAN_FLAGS :=
else
O ?= build-san
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wpointer-arith -Wvla -Wformat=2 -Wno-format-nonliteral -Wundef -Wwrite-strings \
	-Wno-unused-parameter -Wno-format-truncation $(WARN_EXTRA)

PKGS := libprotobuf-c libpcre2-8 zlib libdw libgvc libcgraph ncursesw libmicrohttpd
# Recursive (=) so pkg-config runs after install-deps has run.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))
CMOCKA_LIBS = $(shell pkg-config --libs cmocka)

ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SAN_FLAGS) -Isrc -I$(O)/gen $(PKG_CFLAGS)
ALL_LDFLAGS = $(SAN_FLAGS) $(LDFLAGS)
LIBS = $(PKG_LIBS) -liberty -lm -lpthread

ifeq ($(V),1)
Q :=
else
Q := @
endif

MODEL_SRC := $(wildcard src/model/*.c)
REPORT_SRC := $(wildcard src/report/*.c)
CLI_SRC := $(wildcard src/cli/*.c) $(wildcard src/tui/*.c) $(wildcard src/web/*.c)
GEN_SRC := $(O)/gen/profile.pb-c.c
LIB_OBJ := $(patsubst %.c,$(O)/%.o,$(MODEL_SRC) $(REPORT_SRC)) $(O)/gen/profile.pb-c.o
CLI_OBJ := $(patsubst %.c,$(O)/%.o,$(CLI_SRC))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(O)/tests/%,$(UNIT_SRC))

# ---- recorder: variables (the rules are in the recorder section below) ----
# `cprof record` symbolizes with libdw (src/record/symbolize.c).
CLI_OBJ += $(O)/src/record/symbolize.o
# ---- end recorder: variables ----

.PHONY: all deps demo test check unit golden bench proto format format-check clean readme \
	fuzz fuzz-build fuzz-smoke

all: $(O)/cprof

# ---- dependencies ----
$(O)/.deps-ok: scripts/install-deps.sh
	$(Q)mkdir -p $(O)
	$(Q)scripts/install-deps.sh --quiet
	$(Q)touch $@

deps: $(O)/.deps-ok

# Rebuild everything when the compiler or flags change.
$(O)/.flags: FORCE | $(O)/.deps-ok
	$(Q)echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)' > $@.new
	$(Q)if cmp -s $@ $@.new; then rm $@.new; else mv $@.new $@; fi
FORCE:

# Keep intermediate objects (no "rm" after the test summaries).
.SECONDARY:

# ---- generated protobuf-c code ----
$(O)/gen/profile.pb-c.c $(O)/gen/profile.pb-c.h: proto/profile.proto | $(O)/.deps-ok
	$(Q)mkdir -p $(O)/gen
	@echo "  PROTOC  $<"
	$(Q)protoc-c --c_out=$(O)/gen -Iproto $<

proto: $(O)/gen/profile.pb-c.c

$(O)/gen/profile.pb-c.o: $(O)/gen/profile.pb-c.c $(O)/.flags
	@echo "  CC      $<"
	$(Q)$(CC) $(filter-out -Wstrict-prototypes -Wmissing-prototypes,$(ALL_CFLAGS)) -MMD -MP -c -o $@ $<

# ---- objects ----
$(O)/%.o: %.c $(O)/.flags | $(O)/gen/profile.pb-c.h
	$(Q)mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/libcprof-core.a: $(LIB_OBJ)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(O)/cprof: $(CLI_OBJ) $(O)/libcprof-core.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(O)/libcprof-core.a $(LIBS)

# ---- tests ----
$(O)/tests/%: $(O)/tests/unit/%.o $(O)/libcprof-core.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(O)/libcprof-core.a $(LIBS) $(CMOCKA_LIBS)

# The input tests' dump tool (Profile.String() layout); built for tests only.
$(O)/tests/dump: $(O)/tests/inputs/dump.o $(O)/libcprof-core.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(O)/libcprof-core.a $(LIBS)

unit: $(UNIT_BIN)
	$(Q)for t in $(UNIT_BIN); do echo "  UNIT    $$t"; $$t || exit 1; done

$(O)/hostile: tests/graph/hostile.c $(O)/libcprof-core.a $(O)/.flags
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ tests/graph/hostile.c $(O)/libcprof-core.a $(LIBS)

# The adversarial-names fixture writer (tests/harden/names.c).
$(O)/names-fixture: tests/harden/names.c $(O)/libcprof-core.a $(O)/.flags
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ tests/harden/names.c $(O)/libcprof-core.a $(LIBS)

# ---- fuzz targets (tests/fuzz); without libFuzzer they replay files ----
FUZZ_TARGETS := proto legacy folded perf escape_dot escape_xml escape_term report
FUZZ_SECONDS ?= 60
REPLAY_BIN := $(patsubst %,$(O)/replay/fuzz_%,$(FUZZ_TARGETS))

$(O)/replay/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(O)/libcprof-core.a $(O)/.flags
	$(Q)mkdir -p $(@D)
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< tests/fuzz/replay.c $(O)/libcprof-core.a $(LIBS)

$(O)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(O)/libcprof-core.a $(O)/.flags
	$(Q)mkdir -p $(@D)
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $(ALL_LDFLAGS) -o $@ $< $(O)/libcprof-core.a $(LIBS)

fuzz-build: $(patsubst %,$(O)/fuzz/fuzz_%,$(FUZZ_TARGETS))

# clang's libFuzzer with ASan+UBSan, in build-fuzz/; corpora stay there between runs
fuzz:
	$(Q)$(MAKE) --no-print-directory O=build-fuzz CC=clang SANITIZE=address,undefined \
		CFLAGS="-O1 -g -fsanitize=fuzzer-no-link" WARN_EXTRA=-Wno-unknown-warning-option \
		fuzz-build
	$(Q)tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

# Every CI run (make test) fuzzes each harness for FUZZ_SMOKE_SECONDS; skipped
# when clang cannot link libFuzzer.
FUZZ_SMOKE_SECONDS ?= 10
fuzz-smoke:
	$(Q)if printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' | \
		clang -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS); \
	else \
		echo "fuzz: SKIP: clang with libFuzzer not found (Debian package clang)"; \
	fi

golden: $(O)/cprof $(O)/genprof $(O)/tests/dump $(O)/hostile $(O)/names-fixture $(REPLAY_BIN)
	$(Q)tests/golden/run.sh $(O)/cprof
	$(Q)tests/golden/index.sh $(O)
	$(Q)tests/inputs/run.sh $(O)
	$(Q)tests/inputs/symbolize.sh $(O)
	$(Q)tests/cli/run.sh $(O)/cprof $(O)/genprof
	$(Q)tests/graph/run.sh $(O)/cprof $(O)/hostile
	$(Q)tests/flame/run.sh $(O)/cprof $(O)/genprof
	$(Q)tests/web/run.sh $(O)/cprof
	$(Q)tests/shell/run.sh $(O)/cprof
	$(Q)tests/tui/run.sh $(O)/cprof
	$(Q)tests/regress/run.sh $(O)
	$(Q)tests/regress/valgrind.sh $(O)
	$(Q)tests/harden/run.sh $(O)
	$(Q)scripts/update-readme.sh --check $(O)/cprof

readme: $(O)/cprof
	$(Q)scripts/update-readme.sh $(O)/cprof

check: unit golden

# graphviz and fontconfig keep caches they never free: tests/lsan.supp
# (gcc's "undefined" leaves out float-cast-overflow: asked for by name)
test:
	$(Q)$(MAKE) --no-print-directory check
	$(Q)LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
		$(MAKE) --no-print-directory SANITIZE=address,undefined,float-cast-overflow check
	$(Q)$(MAKE) --no-print-directory fuzz-smoke

# ---- demo and benchmark ----
demo: $(O)/cprof
	@echo
	@echo '$$ $(O)/cprof record -cpu $(O)/demo-cpu.pb.gz -heap $(O)/demo-heap.pb.gz -- $(O)/examples/demo'
	$(Q)$(O)/cprof record -cpu $(O)/demo-cpu.pb.gz -heap $(O)/demo-heap.pb.gz -- $(O)/examples/demo
	@echo
	@echo '$$ $(O)/cprof -top -nodecount=15 $(O)/demo-cpu.pb.gz'
	$(Q)$(O)/cprof -top -nodecount=15 $(O)/demo-cpu.pb.gz
	@echo
	@echo '$$ $(O)/cprof top5 -cum -sample_index=alloc_space $(O)/demo-heap.pb.gz'
	$(Q)$(O)/cprof top5 -cum -sample_index=alloc_space $(O)/demo-heap.pb.gz
	$(Q)$(O)/cprof -flame -output=$(O)/demo-cpu.svg $(O)/demo-cpu.pb.gz
	@echo
	@echo 'Profiles: $(O)/demo-cpu.pb.gz $(O)/demo-heap.pb.gz (go tool pprof reads them too)'
	@echo 'Flame graph: $(O)/demo-cpu.svg (open it in a browser)'

$(O)/genprof: bench/genprof.c $(O)/gen/profile.pb-c.o $(O)/.flags
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ bench/genprof.c $(O)/gen/profile.pb-c.o $(LIBS)

bench: $(O)/cprof $(O)/genprof
	$(Q)bench/run.sh $(O)/cprof $(O)/genprof
	$(Q)bench/svg.sh $(O)/cprof $${BENCH_DIR:-build/bench}/large-s1.pb.gz
	$(Q)bench/flame.sh $(O)/cprof $(O)/genprof
	$(Q)bench/tui.sh $(O)/cprof $(O)/genprof
	$(Q)bench/web.sh $(O)/cprof $${BENCH_DIR:-build/bench}/large-s1.pb.gz

# ---- recorder (libcprof, `cprof record`, its tests and benchmark) ----
# The library and its test programs are built WITHOUT sanitizers, also in
# SANITIZE builds: a malloc interposer cannot run under ASan.  In SANITIZE
# builds the tests still run, against the sanitized cprof (launcher and
# symbolizer), with the unsanitized library preloaded into the programs.
REC_SRC := $(filter-out src/record/symbolize.c,$(wildcard src/record/*.c))
REC_OBJ := $(patsubst src/record/%.c,$(O)/rec/%.o,$(REC_SRC)) $(O)/rec/profile.pb-c.o
REC_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -fPIC -fvisibility=hidden -fno-plt \
	-Isrc -I$(O)/gen $(shell pkg-config --cflags libprotobuf-c zlib)
REC_LIBS = $(shell pkg-config --libs libprotobuf-c zlib) -lm -lpthread -ldl
RECT_CFLAGS = -std=gnu11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-Isrc -pthread
RECT_LINK_LIB = -L$(O) -lcprof -Wl,-rpath,'$$ORIGIN/../..'
RECT_SRC := $(wildcard tests/record/*.c)
RECT_BIN := $(patsubst tests/record/%.c,$(O)/tests/record/%,$(RECT_SRC)) \
	$(patsubst tests/record/%.cc,$(O)/tests/record/%,$(wildcard tests/record/*.cc))

$(O)/rec/%.o: src/record/%.c $(O)/.flags | $(O)/gen/profile.pb-c.h
	$(Q)mkdir -p $(@D)
	@echo "  CC      $< (libcprof)"
	$(Q)$(CC) $(REC_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/rec/profile.pb-c.o: $(O)/gen/profile.pb-c.c $(O)/.flags
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(filter-out -Wstrict-prototypes -Wmissing-prototypes,$(REC_CFLAGS)) \
		-MMD -MP -c -o $@ $<

$(O)/libcprof.so: $(REC_OBJ) src/record/libcprof.map
	@echo "  LINK    $@"
	$(Q)$(CC) -shared -o $@ $(REC_OBJ) -Wl,--version-script=src/record/libcprof.map \
		-Wl,-z,nodelete $(REC_LIBS)

$(O)/libcprof.a: $(REC_OBJ)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

# Test programs: plain -O2 -g (no frame pointers, as Debian builds code).
# Only api*.c link libcprof; the others are unmodified programs run under
# `cprof record`.
$(O)/tests/record/%: tests/record/%.c src/record/cprof_record.h $(O)/libcprof.so
	$(Q)mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(RECT_CFLAGS) -o $@ $< -ldl -lm \
		$(if $(filter api%,$*),$(RECT_LINK_LIB))

# textfmt calls libcprof's internals, so it links the static library.
$(O)/tests/record/textfmt: tests/record/textfmt.c src/record/rec.h $(O)/libcprof.a
	$(Q)mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(RECT_CFLAGS) -o $@ $< $(O)/libcprof.a $(REC_LIBS)

all: $(O)/libcprof.so $(O)/libcprof.a

$(O)/tests/record/%: tests/record/%.cc
	$(Q)mkdir -p $(@D)
	@echo "  CXX     $<"
	$(Q)g++ -std=c++17 -O2 -g -Wall -Wextra -Werror -pthread -o $@ $<

$(O)/examples/demo: examples/demo.c
	$(Q)mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -o $@ $<

demo: $(O)/libcprof.so $(O)/examples/demo

record: $(O)/cprof $(O)/libcprof.so $(O)/libcprof.a

record-test: $(O)/cprof $(O)/libcprof.so $(RECT_BIN)
	$(Q)tests/record/run.sh $(O)

check: record-test

bench-record: $(O)/cprof $(O)/libcprof.so $(RECT_BIN)
	$(Q)bench/record.sh $(O)

bench: bench-record

# The seed workflow: profile one of cprof's own unit tests or its
# benchmarks into _output/pprof/ (see scripts/pprof-record.sh).
pprof.test: $(O)/cprof $(O)/libcprof.so $(UNIT_BIN)
	$(Q)scripts/pprof-record.sh test $(O) "$(TEST)"

pprof.bench: $(O)/cprof $(O)/libcprof.so $(O)/genprof $(RECT_BIN)
	$(Q)scripts/pprof-record.sh bench $(O)

.PHONY: record record-test bench-record pprof.test pprof.bench
# ---- end recorder ----

# ---- housekeeping ----
FORMAT_FILES = $(wildcard src/*/*.c src/*/*.h tests/unit/*.c tests/inputs/*.c tests/graph/*.c \
	tests/fuzz/*.c tests/harden/*.c bench/*.c)

format:
	clang-format -i $(FORMAT_FILES)

format-check:
	clang-format --dry-run -Werror $(FORMAT_FILES)

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(O) -name '*.d' 2>/dev/null)
