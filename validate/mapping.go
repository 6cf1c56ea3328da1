package validate

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/swapbench/swapbench/bench"
	"github.com/swapbench/swapbench/cost"
	"github.com/swapbench/swapbench/fixes"
	"github.com/swapbench/swapbench/model"
	"github.com/swapbench/swapbench/model/codec"
	"github.com/swapbench/swapbench/probe"
	"github.com/swapbench/swapbench/workloads"
)

// Kernel releases that decide the mapping (docs/kernels.md#the-pin,
// docs/kernels.md#the-fixes).
var (
	releaseWaitqueue = version{6, 12} // 01626a182302: the pin's wait queue
	releasePin       = version{6, 8}  // 13ddaf26be32, v6.8-rc6: the pin
)

// version is a kernel's major.minor.
type version struct{ major, minor int }

func (v version) less(w version) bool {
	return v.major < w.major || v.major == w.major && v.minor < w.minor
}

func (v version) String() string { return fmt.Sprintf("%d.%d", v.major, v.minor) }

// parseVersion reads the major.minor of a uname -r string
// ("6.18.44-fc-v782") or a kernel base name ("v6.10").
func parseVersion(s string) (version, bool) {
	s = strings.TrimPrefix(s, "v")
	f := strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '-' })
	if len(f) < 2 {
		return version{}, false
	}
	major, err1 := strconv.Atoi(f[0])
	minor, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil {
		return version{}, false
	}
	return version{major, minor}, true
}

// Mapping says how the probe's configurations run in the simulator, and
// why.
type Mapping struct {
	Kernel    string // uname -r of the probed kernel
	Base      model.KernelBase
	Bypass    fixes.Variant // path=bypass: swap count 1
	Swapcache fixes.Variant // path=swapcache: a forked child holds the entry
	// Why are the reasons, one short sentence each.
	Why []string
}

// Map picks the simulator's kernel base and variants for the running
// kernel named by uname -r:
//
//   - the kernel base is the newest modelled base that is not newer
//     than the kernel (its zswap index and invalidation timing are the
//     kernel's own), or the oldest base for an older kernel;
//   - path=bypass is the kernel as released: the fix whose Mainline
//     range holds the release (fixes.Mainline: the merged fix,
//     25cd241408a2, from v6.9; before v6.9 zswap loads were not exclusive
//     by default, which is the non-exclusive fix) under the pin the
//     kernel has (the wait queue from v6.12, the one-tick sleep from
//     v6.8), or the fix's own sync mode if it has no pin;
//   - path=swapcache is the model's swap cache path, the NoBypass fix: every
//     swapin adds its folio to the swap cache before the read, as
//     do_swap_page does for an entry whose swap count is 2. The cost
//     profiles are calibrated on it as the swap cache path (5.02 us,
//     13ddaf26be32; bench.TestCalibration). The simulator's swapin
//     benchmark has no forked child holding the entry, so the merged
//     fix's own swap cache path is not reachable from it.
func Map(kernel string) (Mapping, error) {
	kv, ok := parseVersion(kernel)
	if !ok {
		return Mapping{}, fmt.Errorf("kernel %q: want a uname -r release like 6.18.44", kernel)
	}
	m := Mapping{Kernel: kernel}
	bases := model.KernelBases()
	m.Base = bases[0]
	for _, b := range bases {
		bv, _ := parseVersion(b.String())
		if !kv.less(bv) {
			m.Base = b
		}
	}
	bv, _ := parseVersion(m.Base.String())
	if kv.less(bv) {
		m.Why = append(m.Why, fmt.Sprintf("kernel %s is older than every modelled base; %s is the oldest", kv, m.Base))
	} else {
		m.Why = append(m.Why, fmt.Sprintf("%s is the newest modelled base not newer than %s", m.Base, kv))
	}

	fix, err := fixes.Mainline(fixes.Release{Major: kv.major, Minor: kv.minor})
	if err != nil {
		return m, err
	}
	why := kv.String() + " behaves as " + fix.Name + ": " + fix.Mainline.Why
	sync := model.SyncNone
	switch {
	case !slices.Contains(fix.Syncs, sync):
		sync = fix.DefaultSync()
	case !kv.less(releaseWaitqueue):
		sync = model.SyncWaitqueue
		why += ", with the wait queue (01626a182302, v6.12)"
	case !kv.less(releasePin):
		sync = model.SyncTick
		why += ", with the pin (13ddaf26be32, v6.8)"
	}
	if !m.Base.HasBypass() {
		sync = model.SyncFolioLock
		why += "; " + m.Base.String() + " has no bypass, the swap cache synchronises (f1879e8a0c60)"
	}
	if m.Bypass, err = variant(fix, sync, m.Base); err != nil {
		return m, err
	}
	m.Why = append(m.Why, fmt.Sprintf("path=bypass: %s: %s", m.Bypass, why))
	nb, err := fixes.SwapCachePath()
	if err != nil {
		return m, fmt.Errorf("kernel %s: %v", kernel, err)
	}
	if nb.AppliesTo(m.Base) != nil {
		// Without a bypass the kernel itself is the swap cache path.
		m.Swapcache = m.Bypass
		m.Why = append(m.Why, fmt.Sprintf("path=swapcache: %s: %s has no bypass, so both paths are the kernel's", m.Swapcache, m.Base))
		return m, nil
	}
	if m.Swapcache, err = variant(nb, nb.DefaultSync(), m.Base); err != nil {
		return m, err
	}
	m.Why = append(m.Why, fmt.Sprintf("path=swapcache: %s: the model's swap cache path, on which the profiles are calibrated (5.02us)", m.Swapcache))
	return m, nil
}

func variant(f *fixes.Fix, sync model.SyncMode, base model.KernelBase) (fixes.Variant, error) {
	if _, err := f.HooksOn(base, sync); err != nil {
		return fixes.Variant{}, err
	}
	return fixes.Variant{Fix: f, Sync: sync, Kernel: base}, nil
}

// runnable says why the simulator cannot run backend, comp and data
// under profile p ("not simulated: ..."), or "" if it can. Backends and
// codecs come from the model's own registries, so a codec added to
// model/codec (and priced by the profile) is simulated without a change
// here. A corpus is looked for next to the probe's results file.
func runnable(backend, comp, data string, p *cost.Profile, dir string, seed uint64) (model.Backend, string, string) {
	be, err := model.ParseBackend(backend)
	if err != nil {
		return 0, "", "not simulated: no backend " + backend
	}
	if _, err := codec.New(comp); err != nil {
		return 0, "", "not simulated: no codec " + comp
	}
	if _, ok := p.Codec(comp, data); !ok {
		return 0, "", "not simulated: profile has no " + comp
	}
	if name, ok := strings.CutPrefix(data, "corpus:"); ok && !filepath.IsAbs(name) {
		data = "corpus:" + filepath.Join(dir, name) // as the results name it: next to them
	}
	if _, err := workloads.NewContent(data, seed); err != nil {
		return 0, "", "not simulated: no data " + shorten(data, 24)
	}
	return be, data, ""
}

// swapin is the simulator's benchmark for a probe swapin configuration.
func (m Mapping) swapin(c probe.Config, be model.Backend, data string, p *cost.Profile, seed uint64) bench.Swapin {
	v := m.Bypass
	if c.Path == probe.PathSwapcache {
		v = m.Swapcache
	}
	return bench.Swapin{Variant: v, Backend: be, Comp: c.Comp, Data: data, Profile: p, Seed: seed}
}

// swapout is the simulator's benchmark for a probe page-out
// configuration (the page-out precedes the fork, so the path does not
// matter).
func (m Mapping) swapout(c probe.Config, be model.Backend, data string, p *cost.Profile, seed uint64) bench.Swapout {
	return bench.Swapout{Kernel: m.Base, Backend: be, Comp: c.Comp, Data: data, Profile: p, Seed: seed}
}

// body is the simulator's benchmark body for bench (Swapin or Swapout)
// of the probe configuration c under p; be and data are what runnable
// returned for it.
func (m Mapping) body(bench string, c probe.Config, be model.Backend, data string, p *cost.Profile, seed uint64) (name string, run func(*testing.B)) {
	if bench == Swapout {
		s := m.swapout(c, be, data, p, seed)
		return s.Name(), s.Run
	}
	s := m.swapin(c, be, data, p, seed)
	return s.Name(), s.Run
}

// FitOptions are probe.FitProfile's options for the kernel named by
// uname -r, mapped as Map maps it: the simulator (the modelled kernel
// time per page of a probe configuration under a profile, memoized, see
// sims; a configuration it cannot run is an error wrapping
// probe.ErrNotSimulated; a corpus named relatively is looked for in dir)
// and what the base says about the swap cache and zero pages.
func FitOptions(kernel, dir string, seed uint64) (probe.FitOptions, error) {
	m, err := Map(kernel)
	if err != nil {
		return probe.FitOptions{}, err
	}
	return fitOptions(m, newSims(m, dir, seed)), nil
}

func fitOptions(m Mapping, s *sims) probe.FitOptions {
	return probe.FitOptions{Simulate: s.ns, SwapTable: m.Base.HasSwapTable(), Zeromap: m.Base.HasZeromap()}
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n+3:]
}
