package main

import (
	"encoding/json"
	"os"
	"regexp"
	"testing"
)

// The faas-provider version is pinned twice: in go.mod (what is built) and in
// ../binaries/pins.json (what the harness records and documents). They must agree.
func TestGoModMatchesPins(t *testing.T) {
	data, err := os.ReadFile("../binaries/pins.json")
	if err != nil {
		t.Fatal(err)
	}
	var pins struct {
		FaasProvider struct {
			Module  string `json:"module"`
			Version string `json:"version"`
		} `json:"faasProvider"`
	}
	if err := json.Unmarshal(data, &pins); err != nil {
		t.Fatal(err)
	}
	goMod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	pin := pins.FaasProvider
	if pin.Module == "" || pin.Version == "" {
		t.Fatal("pins.json has no faasProvider module and version")
	}
	line := regexp.MustCompile(`(?m)^\s*(?:require\s+)?` + regexp.QuoteMeta(pin.Module) + `\s+(\S+)`)
	match := line.FindSubmatch(goMod)
	if match == nil {
		t.Fatalf("go.mod does not require %s", pin.Module)
	}
	if string(match[1]) != pin.Version {
		t.Fatalf("go.mod requires %s %s but pins.json pins %s", pin.Module, match[1], pin.Version)
	}
}
