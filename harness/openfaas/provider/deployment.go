package main

import (
	"fmt"
	"net/url"
	"strings"
)

// deployment is one immutable reading of the state file, indexed for the call path. A reload
// builds a new one and swaps it in whole, so a request never sees half of a change.
type deployment struct {
	namespace string
	functions []*route
	byName    map[string]*route
}

// route is a function and the base URLs of its ready replicas, in state-file order.
type route struct {
	fn    *stateFunction
	ready []url.URL
}

func newDeployment(state *stateFile) *deployment {
	d := &deployment{namespace: state.Namespace, byName: map[string]*route{}}
	for i := range state.Functions {
		fn := &state.Functions[i]
		r := &route{fn: fn}
		for _, ep := range fn.Endpoints {
			if ep.Ready {
				r.ready = append(r.ready, ep.baseURL())
			}
		}
		d.functions = append(d.functions, r)
		d.byName[fn.Name] = r
	}
	return d
}

// lookup finds a function by its plain name or by "name.namespace", the form the gateway
// uses on its call path (/function/get.openfaas-fn). Names in other namespaces are unknown:
// this provider serves exactly one.
func (d *deployment) lookup(name string) (*route, error) {
	if r, ok := d.byName[name]; ok {
		return r, nil
	}
	if i := strings.LastIndex(name, "."); i >= 0 {
		base, namespace := name[:i], name[i+1:]
		if namespace == "" || namespace == d.namespace {
			if r, ok := d.byName[base]; ok {
				return r, nil
			}
		}
	}
	return nil, fmt.Errorf("function %q is not deployed in namespace %s", name, d.namespace)
}

// servesNamespace says whether a ?namespace= query names this provider's namespace (an empty
// one means the default, as in faas-netes).
func (d *deployment) servesNamespace(namespace string) bool {
	return namespace == "" || namespace == d.namespace
}
