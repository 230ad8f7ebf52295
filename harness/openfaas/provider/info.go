package main

import (
	"net/http"
	"runtime/debug"

	"github.com/openfaas/faas-provider/types"
)

const providerName = "fogbench-fog-provider"

// sourceHash is set by the harness build (-ldflags -X main.sourceHash=...): it is the hash
// the binary is cached under, so /system/info names the exact source that is running.
var sourceHash = ""

// versionInfo reads the release from the binary's build info ("(devel)" for a local build)
// and names the source by the hash the harness stamped, else by a stamped VCS revision.
func versionInfo() *types.VersionInfo {
	version := &types.VersionInfo{Release: "(devel)", SHA: sourceHash}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return version
	}
	if info.Main.Version != "" {
		version.Release = info.Main.Version
	}
	for _, setting := range info.Settings {
		if setting.Key == "vcs.revision" && version.SHA == "" {
			version.SHA = setting.Value
		}
	}
	return version
}

func infoHandler(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, types.ProviderInfo{Name: providerName, Orchestration: "fog", Version: versionInfo()})
}

func namespacesHandler(s *store) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, []string{s.deployment().namespace})
	}
}

func healthHandler(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("OK"))
}
