# Builds and installs libleanix for C and C++ programs:
#   make install PREFIX=$HOME/.local        (release build, then lib, header and pkg-config file)
#   cc app.c $(pkg-config --cflags --libs leanix)   with PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig
PREFIX ?= /usr/local
PROFILE ?= release
CARGO ?= cargo
TARGET_DIR ?= $(or $(CARGO_TARGET_DIR),target)
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
LIBDIR := $(TARGET_DIR)/$(PROFILE)

.PHONY: build install uninstall test demo

build:
ifeq ($(PROFILE),release)
	$(CARGO) build --release -p leanix-ffi
else
	$(CARGO) build -p leanix-ffi
endif

install: build
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 0755 $(LIBDIR)/libleanix.so $(DESTDIR)$(PREFIX)/lib/libleanix.so
	install -m 0644 $(LIBDIR)/libleanix.a $(DESTDIR)$(PREFIX)/lib/libleanix.a
	install -m 0644 include/leanix.h $(DESTDIR)$(PREFIX)/include/leanix.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' leanix.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/leanix.pc
	@echo "installed libleanix $(VERSION) in $(DESTDIR)$(PREFIX); export PKG_CONFIG_PATH=$(PREFIX)/lib/pkgconfig"

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/lib/libleanix.so $(DESTDIR)$(PREFIX)/lib/libleanix.a \
	      $(DESTDIR)$(PREFIX)/include/leanix.h $(DESTDIR)$(PREFIX)/lib/pkgconfig/leanix.pc

test:
	./scripts/test.sh

demo:
	$(CARGO) run --release -p leanix-cli -- demo
