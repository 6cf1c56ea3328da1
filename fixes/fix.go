// Package fixes holds every proposal from the March 2024 zswap/bypass
// thread (and the 2026 swap table) as a value the model runs: its
// metadata, and its behaviour as model.Hooks.
//
// Adding a fix is one new file that declares a Fix and one line in
// registry.go.
package fixes

import (
	"fmt"
	"slices"
	"strings"

	"github.com/swapbench/swapbench/model"
)

// A Fix is one proposal.
type Fix struct {
	// Name is the fix's name everywhere: CLI flags, benchmark names, reports.
	Name string
	// Summary says in one line what the fix changes.
	Summary string
	// Author proposed it.
	Author string
	// Source is the commit or lore message.
	Source string
	// Kernel is the kernel the fix applies to.
	Kernel string
	// Syncs are the sync modes the fix can run with; the first is its own.
	Syncs []model.SyncMode
	// Baseline marks the fix that went in (25cd241408a2): the one reports
	// and comparisons measure the others against. One fix has it.
	Baseline bool
	// Mainline is the range of kernel releases whose default behaviour
	// the fix is (zero when no release behaves so): how a probed kernel
	// maps onto a fix.
	Mainline Releases
	// NoBypass: every swapin takes the swap cache path; the fix removes
	// the bypass (a probe's path=swapcache runs on it). On a base without
	// a bypass (v7.0) it is the kernel itself, and refused as a fix.
	NoBypass bool
	// NeedsBypass: the fix changes the bypass path (its pin, its private
	// folio, its failure exits), so it is refused on a base that has none.
	NeedsBypass bool
	// StoresOnFailure: the fix zswap_stores a folio again when a fault
	// fails, so a failing zswap_store is an event of its own for it.
	StoresOnFailure bool
	// Control: the fix is no proposal but a configuration that explains
	// a verdict (a proposal without the pin it needs); reports label it.
	Control bool
	// hooks builds the fix's hooks for a sync mode in Syncs.
	hooks func(model.SyncMode) model.Hooks
}

// Hooks returns the fix's hooks under sync mode s, or an error naming the
// modes the fix allows.
func (f *Fix) Hooks(s model.SyncMode) (model.Hooks, error) {
	if !slices.Contains(f.Syncs, s) {
		return model.Hooks{}, fmt.Errorf("sync mode %q does not apply to fix %s; want one of %s", s, f.Name, joinSyncs(f.Syncs))
	}
	h := f.hooks(s)
	h.Sync = s
	return h, nil
}

// DefaultSync is the sync mode the fix was proposed with.
func (f *Fix) DefaultSync() model.SyncMode { return f.Syncs[0] }

// AppliesTo says why the fix cannot run on base kb, or nil if it can.
func (f *Fix) AppliesTo(kb model.KernelBase) error {
	switch {
	case kb.HasBypass():
		return nil
	case f.NoBypass:
		return fmt.Errorf("fix %s on kernel %s: it is %s's own behaviour (f1879e8a0c60 never bypasses the swap cache); run fix=%s on %s", f.Name, kb, kb, Baseline().Name, kb)
	case f.NeedsBypass:
		return fmt.Errorf("fix %s on kernel %s: it changes the bypass path, which %s does not have (f1879e8a0c60); want a base before it", f.Name, kb, kb)
	}
	return nil
}

// SyncsOn lists the sync modes the fix runs with on base kb, its default
// first: on a base without a bypass only the swap cache's own (folio-lock),
// since there is no bypass pin to choose.
func (f *Fix) SyncsOn(kb model.KernelBase) []model.SyncMode {
	if f.AppliesTo(kb) != nil {
		return nil
	}
	if !kb.HasBypass() {
		return []model.SyncMode{model.SyncFolioLock}
	}
	return f.Syncs
}

// DefaultSyncOn is the sync mode the fix runs with by default on base kb:
// the one it was proposed with, except that from v6.12 a fix proposed
// with the one-tick sleep gets the wait queue that replaced it there
// (01626a182302), when it allows it.
func (f *Fix) DefaultSyncOn(kb model.KernelBase) model.SyncMode {
	ss := f.SyncsOn(kb)
	if len(ss) == 0 {
		return f.DefaultSync()
	}
	if kb.WaitQueue() && ss[0] == model.SyncTick && slices.Contains(ss, model.SyncWaitqueue) {
		return model.SyncWaitqueue
	}
	return ss[0]
}

// HooksOn returns the fix's hooks under sync mode s on base kb, or an
// error saying why the pairing is refused.
func (f *Fix) HooksOn(kb model.KernelBase, s model.SyncMode) (model.Hooks, error) {
	if err := f.AppliesTo(kb); err != nil {
		return model.Hooks{}, err
	}
	ss := f.SyncsOn(kb)
	if !slices.Contains(ss, s) {
		return model.Hooks{}, fmt.Errorf("sync mode %q does not apply to fix %s on kernel %s; want one of %s", s, f.Name, kb, joinSyncs(ss))
	}
	h := f.hooks(s)
	h.Sync = s
	return h, nil
}

func joinSyncs(ss []model.SyncMode) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.String()
	}
	return strings.Join(names, ", ")
}

// Register adds f at the end of the registry, with hooks building its
// model.Hooks for each sync mode in f.Syncs: how a fix defined outside
// this package (a test's, an experiment's) joins the matrix, the
// explorer, the benchmarks and the report. The name must be new and fit
// a benchmark name's key=value component; a second baseline is refused.
// remove takes it out again. Register is not safe for concurrent use
// with anything that reads the registry.
func Register(f *Fix, hooks func(model.SyncMode) model.Hooks) (remove func(), err error) {
	switch {
	case f.Name == "" || strings.Trim(f.Name, "abcdefghijklmnopqrstuvwxyz0123456789-") != "":
		return nil, fmt.Errorf("fix %q: want a name of lower-case letters, digits and '-'", f.Name)
	case slices.Contains(Names(), f.Name):
		return nil, fmt.Errorf("fix %q: already registered", f.Name)
	case len(f.Syncs) == 0 || hooks == nil:
		return nil, fmt.Errorf("fix %q: want at least one sync mode and its hooks", f.Name)
	case f.Baseline:
		return nil, fmt.Errorf("fix %q: %s is already the baseline", f.Name, Baseline().Name)
	}
	f.hooks = hooks
	registry = append(registry, f)
	return func() {
		registry = slices.DeleteFunc(registry, func(g *Fix) bool { return g == f })
	}, nil
}

// All returns every fix in registry order.
func All() []*Fix { return slices.Clone(registry) }

// Names returns the fix names in registry order.
func Names() []string {
	names := make([]string, len(registry))
	for i, f := range registry {
		names[i] = f.Name
	}
	return names
}

// Baseline returns the fix marked Baseline.
func Baseline() *Fix {
	for _, f := range registry {
		if f.Baseline {
			return f
		}
	}
	panic("fixes: no fix is the baseline") // TestRegistry catches it
}

// SwapCachePath returns the fix that takes the swap cache path for every
// swapin (NoBypass), or an error if the registry has none.
func SwapCachePath() (*Fix, error) {
	for _, f := range registry {
		if f.NoBypass {
			return f, nil
		}
	}
	return nil, fmt.Errorf("no fix takes the swap cache path for every swapin")
}

// A Release is a kernel release by major.minor, e.g. {6, 9}.
type Release struct{ Major, Minor int }

// Less reports whether r is older than s.
func (r Release) Less(s Release) bool {
	return r.Major < s.Major || r.Major == s.Major && r.Minor < s.Minor
}

func (r Release) String() string { return fmt.Sprintf("%d.%d", r.Major, r.Minor) }

// Releases is a range of releases: From (inclusive) to Until
// (exclusive); a zero Until is open. The zero Releases is empty.
type Releases struct {
	From, Until Release
	// Why cites the commits that open and close the range.
	Why string
}

// Contains reports whether r is in the range.
func (rs Releases) Contains(r Release) bool {
	if rs == (Releases{}) {
		return false
	}
	return !r.Less(rs.From) && (rs.Until == (Release{}) || r.Less(rs.Until))
}

// Mainline returns the fix that is release r's default behaviour, or
// an error if none is.
func Mainline(r Release) (*Fix, error) {
	for _, f := range registry {
		if f.Mainline.Contains(r) {
			return f, nil
		}
	}
	return nil, fmt.Errorf("kernel %s: no fix is its default behaviour", r)
}

// Lookup finds a fix by name.
func Lookup(name string) (*Fix, error) {
	for _, f := range registry {
		if f.Name == name {
			return f, nil
		}
	}
	return nil, fmt.Errorf("fix %q: unknown; want one of %s", name, strings.Join(Names(), ", "))
}

// A Variant is one fix under one sync mode on one kernel base: a point in
// the matrix that the explorer checks and the benchmarks measure.
type Variant struct {
	Fix    *Fix
	Sync   model.SyncMode
	Kernel model.KernelBase
}

// String is the variant's key=value name: fix=F/sync=S/kernel=K.
func (v Variant) String() string {
	return fmt.Sprintf("fix=%s/sync=%s/kernel=%s", v.Fix.Name, v.Sync, v.Kernel)
}

// Config fills the variant's kernel base and hooks into base.
func (v Variant) Config(base model.Config) (model.Config, error) {
	h, err := v.Fix.HooksOn(v.Kernel, v.Sync)
	if err != nil {
		return model.Config{}, err
	}
	base.Kernel = v.Kernel
	base.Hooks = h
	return base, nil
}

// Matrix returns every variant of the named fixes (all if empty), under
// the named sync modes (each fix's applicable ones if empty) and kernel
// bases (all if empty). Names are checked; an error lists the valid ones.
func Matrix(fixNames, syncNames, kernelNames []string) ([]Variant, error) {
	fs := registry
	if len(fixNames) > 0 {
		fs = nil
		for _, n := range fixNames {
			f, err := Lookup(n)
			if err != nil {
				return nil, err
			}
			fs = append(fs, f)
		}
	}
	var syncs []model.SyncMode
	for _, n := range syncNames {
		s, err := model.ParseSyncMode(n)
		if err != nil {
			return nil, err
		}
		syncs = append(syncs, s)
	}
	kernels := model.KernelBases()
	if len(kernelNames) > 0 {
		kernels = nil
		for _, n := range kernelNames {
			kb, err := model.ParseKernelBase(n)
			if err != nil {
				return nil, err
			}
			kernels = append(kernels, kb)
		}
	}
	var vs []Variant
	var refused error // the first refusal, when no fix applies to any base given
	applies := false
	for _, f := range fs {
		// Sync modes in the fix's order, each over the bases in
		// version order; a base the fix does not apply to is left out.
		var order []model.SyncMode
		for _, kb := range kernels {
			for _, s := range f.SyncsOn(kb) {
				if !slices.Contains(order, s) {
					order = append(order, s)
				}
			}
			if err := f.AppliesTo(kb); err == nil {
				applies = true
			} else if refused == nil {
				refused = err
			}
		}
		for _, s := range order {
			if len(syncs) > 0 && !slices.Contains(syncs, s) {
				continue
			}
			for _, kb := range kernels {
				if slices.Contains(f.SyncsOn(kb), s) {
					vs = append(vs, Variant{Fix: f, Sync: s, Kernel: kb})
				}
			}
		}
	}
	if len(vs) == 0 {
		if !applies {
			return nil, refused
		}
		noBypass := len(kernelNames) > 0 && !slices.ContainsFunc(kernels, model.KernelBase.HasBypass)
		if noBypass && len(syncs) > 0 && !slices.Contains(syncs, model.SyncFolioLock) {
			return nil, fmt.Errorf("sync modes %v on kernel %s: %s has no bypass, its swapins synchronise on the swap cache; want folio-lock",
				syncNames, kernels[0], kernels[0])
		}
		return nil, fmt.Errorf("no variant matches fixes %v, sync modes %v and kernels %v", fixNames, syncNames, kernelNames)
	}
	return vs, nil
}

// Shared hook functions.

func alwaysExclusive(*model.Kernel, *model.Folio) bool { return true }
func neverExclusive(*model.Kernel, *model.Folio) bool  { return false }

// exclusiveIfSwapcache is 25cd241408a2's rule: free the entry only when
// the swap cache will own the page.
func exclusiveIfSwapcache(_ *model.Kernel, f *model.Folio) bool {
	return f.Test(model.PGswapcache)
}

var pinnedSyncs = []model.SyncMode{model.SyncTick, model.SyncWaitqueue, model.SyncNone}
