package main

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gorilla/mux"
	"github.com/openfaas/faas-provider/types"
)

// listHandler answers GET /system/functions with every function of the run.
func listHandler(s *store, createdAt time.Time) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		d := s.deployment()
		namespace := r.URL.Query().Get("namespace")
		if !d.servesNamespace(namespace) {
			http.Error(w, "namespace "+namespace+" is not served; fogbench functions run in "+d.namespace, http.StatusBadRequest)
			return
		}
		list := make([]types.FunctionStatus, 0, len(d.functions))
		for _, rt := range d.functions {
			list = append(list, rt.fn.status(d.namespace, createdAt))
		}
		writeJSON(w, http.StatusOK, list)
	}
}

// statusHandler answers GET /system/function/{name}: the gateway reads it on the call path
// (scale_from_zero) to see whether a replica is available.
func statusHandler(s *store, createdAt time.Time) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		d := s.deployment()
		rt, ok := findFunction(w, r, d)
		if !ok {
			return
		}
		writeJSON(w, http.StatusOK, rt.fn.status(d.namespace, createdAt))
	}
}

// findFunction resolves {name} and ?namespace=, answering 404 itself when there is no such
// function here (faas-netes answers 404 for an unknown function too).
func findFunction(w http.ResponseWriter, r *http.Request, d *deployment) (*route, bool) {
	name := mux.Vars(r)["name"]
	namespace := r.URL.Query().Get("namespace")
	if !d.servesNamespace(namespace) {
		http.Error(w, "function "+name+" not found: fogbench functions run in namespace "+d.namespace, http.StatusNotFound)
		return nil, false
	}
	rt, err := d.lookup(name)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return nil, false
	}
	return rt, true
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	data, err := json.Marshal(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}
