# Builds and installs libleanix for C and C++ programs (GNU make; cargo does the build):
#
#   make install PREFIX=$HOME/.local        release build, then everything below into PREFIX
#   make uninstall PREFIX=$HOME/.local
#
# Installed, relative to PREFIX (DESTDIR=... stages it elsewhere, for packagers):
#   lib/libleanix.so.$(VERSION)           the shared library, soname libleanix.so.$(MAJOR)
#   lib/libleanix.so.$(MAJOR) -> ...          the soname link, what programs load at run time
#   lib/libleanix.so -> libleanix.so.$(MAJOR) what -lleanix finds at link time
#   lib/libleanix.a                       the static archive (debug sections stripped)
#   include/leanix.h
#   lib/pkgconfig/leanix.pc               shared:  pkg-config --cflags --libs leanix
#   lib/pkgconfig/leanix-static.pc        archive: pkg-config --cflags --libs leanix-static
#   lib/cmake/leanix/                     find_package(leanix CONFIG): leanix::leanix, leanix::leanix_static
#   share/leanix/valgrind.supp            the library's process-wide state for valgrind (README, "C")
#
# The C tests run `make install` into a scratch prefix and build against it (tests/c/install.sh).
PREFIX ?= /usr/local
DESTDIR ?=
# release, or debug (cargo's dev profile in target/debug, what the tests build)
PROFILE ?= release
CARGO ?= cargo
STRIP ?= strip
TARGET_DIR ?= $(or $(CARGO_TARGET_DIR),target)

ifeq ($(filter release debug,$(PROFILE)),)
$(error PROFILE is release or debug, not $(PROFILE))
endif

VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
MAJOR := $(firstword $(subst ., ,$(VERSION)))
REALNAME := libleanix.so.$(VERSION)
SONAME := libleanix.so.$(MAJOR)
# What the archive needs from the system, as `cargo rustc -p leanix-ffi -- --print
# native-static-libs` prints it (tests/c/install.sh fails when the two differ).
NATIVE_STATIC_LIBS := $(shell cat packaging/native-static-libs)
BUILT := $(TARGET_DIR)/$(PROFILE)
DEST := $(DESTDIR)$(PREFIX)
SPACE := $() $()
# Pointer size of the built library (ELF class), for the CMake version check.
POINTER_BYTES = $(if $(findstring ELF32,$(shell readelf -h $(BUILT)/libleanix.so)),4,8)

SUBST = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' -e 's|@MAJOR@|$(MAJOR)|g' \
	-e 's|@NATIVE_STATIC_LIBS@|$(NATIVE_STATIC_LIBS)|g' \
	-e 's|@CMAKE_NATIVE_STATIC_LIBS@|$(subst $(SPACE),;,$(patsubst -l%,%,$(NATIVE_STATIC_LIBS)))|g' \
	-e 's|@POINTER_BYTES@|$(POINTER_BYTES)|g'

.PHONY: build install uninstall test demo

build:
	$(CARGO) build $(if $(filter release,$(PROFILE)),--release) --target-dir $(TARGET_DIR) -p leanix-ffi
	@readelf -d $(BUILT)/libleanix.so | grep -q 'Library soname: \[$(SONAME)\]' || \
	  { echo "$(BUILT)/libleanix.so does not have the soname $(SONAME) (ffi/build.rs)" >&2; exit 1; }

install: build
	install -d $(DEST)/lib/pkgconfig $(DEST)/lib/cmake/leanix $(DEST)/include $(DEST)/share/leanix
	install -m 0755 $(BUILT)/libleanix.so $(DEST)/lib/$(REALNAME)
	install -m 0644 $(BUILT)/libleanix.a $(DEST)/lib/libleanix.a
	$(STRIP) --strip-debug $(DEST)/lib/$(REALNAME) $(DEST)/lib/libleanix.a
	ln -sfn $(REALNAME) $(DEST)/lib/$(SONAME)
	ln -sfn $(SONAME) $(DEST)/lib/libleanix.so
	install -m 0644 include/leanix.h $(DEST)/include/leanix.h
	$(SUBST) packaging/leanix.pc.in > $(DEST)/lib/pkgconfig/leanix.pc
	$(SUBST) packaging/leanix-static.pc.in > $(DEST)/lib/pkgconfig/leanix-static.pc
	$(SUBST) packaging/leanix-config.cmake.in > $(DEST)/lib/cmake/leanix/leanix-config.cmake
	$(SUBST) packaging/leanix-config-version.cmake.in > $(DEST)/lib/cmake/leanix/leanix-config-version.cmake
	install -m 0644 packaging/valgrind.supp $(DEST)/share/leanix/valgrind.supp
	@echo "installed libleanix $(VERSION) in $(DEST)"
	@echo "  build:   cc app.c \$$(pkg-config --cflags --libs leanix)   with PKG_CONFIG_PATH=$(PREFIX)/lib/pkgconfig,"
	@echo "           or find_package(leanix CONFIG) with CMAKE_PREFIX_PATH=$(PREFIX)"
	@echo "  run:     the program loads $(SONAME) from $(PREFIX)/lib: link with -Wl,-rpath,$(PREFIX)/lib,"
	@echo "           or set LD_LIBRARY_PATH=$(PREFIX)/lib (a system directory: run ldconfig once instead)"

uninstall:
	rm -f $(DEST)/lib/$(REALNAME) $(DEST)/lib/$(SONAME) $(DEST)/lib/libleanix.so $(DEST)/lib/libleanix.a \
	      $(DEST)/include/leanix.h $(DEST)/lib/pkgconfig/leanix.pc $(DEST)/lib/pkgconfig/leanix-static.pc \
	      $(DEST)/lib/cmake/leanix/leanix-config.cmake $(DEST)/lib/cmake/leanix/leanix-config-version.cmake \
	      $(DEST)/share/leanix/valgrind.supp
	-rmdir $(DEST)/lib/cmake/leanix $(DEST)/share/leanix 2>/dev/null

test:
	./scripts/test.sh

demo:
	$(CARGO) run --release -p leanix-cli -- demo
