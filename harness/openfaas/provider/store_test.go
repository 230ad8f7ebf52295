package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readyCount(s *store) uint64 {
	rt, err := s.deployment().lookup("get")
	if err != nil {
		return 0
	}
	return rt.fn.readyCount()
}

func TestStoreReloadsWhenTheFileIsReplaced(t *testing.T) {
	state := sampleState()
	s, path := newTestStore(t, state)
	if got := readyCount(s); got != 2 {
		t.Fatalf("ready replicas = %d, want 2", got)
	}
	if changed, err := s.reloadIfChanged(); changed || err != nil {
		t.Fatalf("unchanged file reloaded: changed=%t err=%v", changed, err)
	}
	// Same size as before (one flag moves) and written at once: the mtime may not tell the two
	// versions apart, the inode does.
	state.Functions[0].Endpoints[0].Ready = false
	state.Functions[0].Endpoints[1].Ready = true
	writeStateFile(t, path, state)
	if changed, err := s.reloadIfChanged(); !changed || err != nil {
		t.Fatalf("replaced file not reloaded: changed=%t err=%v", changed, err)
	}
	u, _ := resolver{store: s}.Resolve("get")
	u2, _ := resolver{store: s}.Resolve("get")
	if u.Host == "198.18.4.10:8080" || u2.Host == "198.18.4.10:8080" {
		t.Fatalf("a replica that is no longer ready still gets calls: %s %s", u.Host, u2.Host)
	}
}

func TestStoreKeepsThePreviousStateOnABadFile(t *testing.T) {
	s, path := newTestStore(t, sampleState())
	for _, bad := range []string{`{"namespace": "openfaas-fn", "functions": [`, `{"namespace": ""}`, `{"namespace":"x","functions":[],"extra":1}`,
		`{"namespace":"x","functions":[{"name":"f","endpoints":[{"address":"http://10.0.0.1","port":8080}]}]}`} {
		writeRaw(t, path, []byte(bad))
		changed, err := s.reloadIfChanged()
		if changed || err == nil {
			t.Fatalf("bad file %q: changed=%t err=%v; want the previous state kept and an error", bad, changed, err)
		}
		if readyCount(s) != 2 {
			t.Fatalf("bad file %q replaced the state", bad)
		}
		if _, err := s.reloadIfChanged(); err != nil {
			t.Fatalf("the same bad file was reported twice: %v", err)
		}
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := s.reloadIfChanged(); err == nil {
		t.Fatal("a missing file was not reported")
	}
	if readyCount(s) != 2 {
		t.Fatal("a missing file replaced the state")
	}
}

func TestStoreWatchPicksUpChanges(t *testing.T) {
	state := sampleState()
	s, path := newTestStore(t, state)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.watch(ctx, 10*time.Millisecond); close(done) }()
	defer func() { cancel(); <-done }()
	state.Functions[0].Endpoints[1].Ready = true
	writeStateFile(t, path, state)
	eventually(t, "three ready replicas", func() bool { return readyCount(s) == 3 })
}

func TestOpenStoreNeedsAValidFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := openStore(filepath.Join(dir, "absent.json")); err == nil {
		t.Fatal("opened a missing state file")
	}
	state := sampleState()
	state.Functions = append(state.Functions, state.Functions[0])
	path := filepath.Join(dir, "twice.json")
	writeStateFile(t, path, state)
	if _, err := openStore(path); err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Fatalf("err = %v; want a duplicate-function error", err)
	}
}
