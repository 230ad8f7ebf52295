package main

import "net/http"

// The harness deploys every function replica as a fog pod before the run and removes it
// after, so the provider cannot create, change or delete one. Such requests are answered 501
// Not Implemented: the request is valid OpenFaaS, this provider just does not offer the
// feature (faas-provider itself uses 501 for a provider without namespace mutation), and
// it is neither the caller's fault (4xx) nor a passing failure worth a retry (503).
const (
	deployRefusal  = "functions are deployed by fogbench for the run; the provider does not change them"
	secretsRefusal = "secrets are not offered: fogbench functions are deployed with none, and the provider does not store them"
)

func refuse(message string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, message, http.StatusNotImplemented)
	}
}

// logsHandler answers with an empty log stream: each replica's output is captured by the
// harness into the run's own log files, so there is nothing to stream from here.
func logsHandler(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
}
