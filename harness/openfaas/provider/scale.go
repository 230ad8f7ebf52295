package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/openfaas/faas-provider/types"
)

// scaleHandler answers POST /system/scale-function/{name}. fogbench runs every function at
// the replica count the run deployed (com.openfaas.scale.min = max), so scaling is a no-op
// that succeeds only when it asks for that count: that is what the gateway's scale-from-zero
// asks for (scale.min) if it ever sees a function at zero. Success is 202 Accepted, as from
// faas-netes; any other count is 409 Conflict (the request is well formed but contradicts
// the fixed scale of the run), and the gateway passes that status and message on.
func scaleHandler(s *store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rt, ok := findFunction(w, r, s.deployment())
		if !ok {
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "reading the scale request: "+err.Error(), http.StatusBadRequest)
			return
		}
		var req types.ScaleServiceRequest
		if err := json.Unmarshal(body, &req); err != nil {
			http.Error(w, "the scale request is not a ScaleServiceRequest: "+err.Error(), http.StatusBadRequest)
			return
		}
		if req.Replicas != rt.fn.Replicas {
			http.Error(w, fmt.Sprintf("fogbench runs functions at a fixed scale of %d replicas (asked for %d)", rt.fn.Replicas, req.Replicas), http.StatusConflict)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}
}
