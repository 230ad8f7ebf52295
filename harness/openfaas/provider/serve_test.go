package main

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

type mapEnv map[string]string

func (m mapEnv) Getenv(key string) string { return m[key] }

// backend is a stand-in for one replica's of-watchdog: it answers with its own name.
type backend struct {
	name   string
	hits   atomic.Int64
	server *httptest.Server
}

func newBackend(t *testing.T, name string) *backend {
	b := &backend{name: name}
	b.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.hits.Add(1)
		body, _ := io.ReadAll(r.Body)
		_, _ = io.WriteString(w, b.name+" "+r.Method+" "+r.URL.Path+" "+string(body))
	}))
	t.Cleanup(b.server.Close)
	return b
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func writeSecret(t *testing.T, dir, name, value string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(value+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestServeEndToEnd runs the provider's real HTTP server (bootstrap.Serve can run once per
// process, so everything that needs it is in this one test) with basic auth on, as the
// gateway meets it.
func TestServeEndToEnd(t *testing.T) {
	a, b, notReady := newBackend(t, "a"), newBackend(t, "b"), newBackend(t, "c")
	state := stateFile{Namespace: "openfaas-fn", Functions: []stateFunction{
		{Name: "get", Replicas: 3, Endpoints: []stateEndpoint{
			endpointOf(t, a.server, "get-0", true), endpointOf(t, notReady.server, "get-1", false), endpointOf(t, b.server, "get-2", true),
		}},
		{Name: "idle", Replicas: 1, Endpoints: []stateEndpoint{endpointOf(t, notReady.server, "idle-0", false)}},
	}}
	dir := t.TempDir()
	statePath := filepath.Join(dir, "state.json")
	writeStateFile(t, statePath, state)
	writeSecret(t, dir, "basic-auth-user", "admin")
	writeSecret(t, dir, "basic-auth-password", "s3cret")
	port := freePort(t)
	cfg, err := readConfig(mapEnv{"port": strconv.Itoa(port), "basic_auth": "true", "secret_mount_path": dir, stateEnv: statePath})
	if err != nil {
		t.Fatal(err)
	}
	s, err := openStore(cfg.statePath)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go s.watch(ctx, 10*time.Millisecond)
	go func() { serve(ctx, cfg.faas, s); close(stopped) }()
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	eventually(t, "the provider to listen", func() bool {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
		}
		return err == nil && res.StatusCode == http.StatusOK
	})

	t.Run("proxies calls to ready replicas only, with the path", func(t *testing.T) {
		paths := []string{"/function/get", "/function/get.openfaas-fn/", "/function/get/sub", "/function/get.openfaas-fn"}
		// 40 rounds: with a random choice between two ready replicas, one of them missing all
		// 160 calls has a probability of 2^-159.
		for range 40 {
			for _, path := range paths {
				status, body := do(t, http.MethodPost, base+path, "payload", "", "")
				if status != http.StatusOK {
					t.Fatalf("POST %s: %d %s", path, status, body)
				}
				want := " POST / payload"
				if strings.HasSuffix(path, "/sub") {
					want = " POST /sub payload"
				}
				if !(strings.HasPrefix(body, "a"+want) || strings.HasPrefix(body, "b"+want)) {
					t.Fatalf("POST %s answered %q; want a or b with%s", path, body, want)
				}
			}
		}
		if a.hits.Load() == 0 || b.hits.Load() == 0 || a.hits.Load()+b.hits.Load() != 160 || notReady.hits.Load() != 0 {
			t.Fatalf("hits a=%d b=%d not-ready=%d; want both ready replicas used, 160 in all, none on the not-ready one", a.hits.Load(), b.hits.Load(), notReady.hits.Load())
		}
	})

	t.Run("logs every call with its duration, as faas-netes runs the proxy", func(t *testing.T) {
		var logged strings.Builder
		log.SetOutput(&logged)
		defer log.SetOutput(os.Stderr)
		for range 3 {
			if status, body := do(t, http.MethodPost, base+"/function/get", "payload", "", ""); status != http.StatusOK {
				t.Fatalf("POST /function/get: %d %s", status, body)
			}
		}
		if n := regexp.MustCompile(`(?m)get took [0-9.]+ seconds$`).FindAllStringIndex(logged.String(), -1); len(n) != 3 {
			t.Fatalf("want one \"get took ... seconds\" line per call (3), got %d in %q", len(n), logged.String())
		}
	})

	t.Run("answers 503 when no replica is ready or the function is unknown", func(t *testing.T) {
		for _, path := range []string{"/function/idle", "/function/absent", "/function/get.other-fn"} {
			if status, body := do(t, http.MethodPost, base+path, "", "", ""); status != http.StatusServiceUnavailable {
				t.Errorf("POST %s: %d %s, want 503", path, status, body)
			}
		}
		if notReady.hits.Load() != 0 {
			t.Fatal("a not-ready replica received a call")
		}
	})

	t.Run("sends calls to a replica once the state says it is ready", func(t *testing.T) {
		state.Functions[0].Endpoints[1].Ready = true
		writeStateFile(t, statePath, state)
		eventually(t, "a call to the newly ready replica", func() bool {
			do(t, http.MethodPost, base+"/function/get", "", "", "")
			return notReady.hits.Load() > 0
		})
	})

	t.Run("guards the system API with basic auth", func(t *testing.T) {
		for _, creds := range [][2]string{{"", ""}, {"admin", "wrong"}, {"someone", "s3cret"}} {
			if status, _ := do(t, http.MethodGet, base+"/system/functions", "", creds[0], creds[1]); status != http.StatusUnauthorized {
				t.Errorf("credentials %q: status %d, want 401", creds[0], status)
			}
		}
		status, body := do(t, http.MethodGet, base+"/system/functions", "", "admin", "s3cret")
		if status != http.StatusOK || !strings.Contains(body, `"name":"get"`) {
			t.Fatalf("right credentials: %d %s", status, body)
		}
		status, _ = do(t, http.MethodPost, base+"/system/scale-function/get", `{"serviceName":"get","replicas":3}`, "admin", "s3cret")
		if status != http.StatusAccepted {
			t.Fatalf("scale with credentials: %d, want 202", status)
		}
	})

	cancel()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("the server did not stop when its context ended")
	}
}

func do(t *testing.T, method, url, body, user, password string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(data)
}

func TestReadConfigDefaults(t *testing.T) {
	cfg, err := readConfig(mapEnv{stateEnv: "/run/state.json"})
	if err != nil {
		t.Fatal(err)
	}
	if *cfg.faas.TCPPort != 8081 || cfg.faas.EnableBasicAuth || cfg.faas.ReadTimeout != 10*time.Second || cfg.statePath != "/run/state.json" {
		t.Fatalf("config %+v, port %d", cfg.faas, *cfg.faas.TCPPort)
	}
	if _, err := readConfig(mapEnv{}); err == nil || !strings.Contains(err.Error(), stateEnv) {
		t.Fatalf("err = %v; want one naming %s", err, stateEnv)
	}
}
