package fixes_test

import (
	"strings"
	"testing"

	"github.com/swapbench/swapbench/fixes"
	"github.com/swapbench/swapbench/model"
)

// want is a fix's intended behaviour at its hook points.
type want struct {
	path          model.Path // how an undisturbed fault brings the page in
	entryAfterLd  bool       // zswap still holds the entry right after the load
	lostOnFailure bool       // a fault failing after the read loses the page
}

var wants = map[string]want{
	"exclusive":              {model.PathBypass, false, true},
	"always-swapcache":       {model.PathSwapCache, false, false},
	"always-swapcache-nopin": {model.PathSwapCache, false, false},
	"writeback-on-failure":   {model.PathBypass, false, false},
	"writeback-or-device":    {model.PathBypass, false, false},
	"non-exclusive":          {model.PathBypass, true, false},
	"merged":                 {model.PathBypass, true, false},
	"never-bypass":           {model.PathSwapCache, false, false},
}

// wantOn is the fix's expected behaviour on v's base: without a bypass
// (v7.0) every fault reads into a swap cache folio, which the merged rule
// loads exclusively, and a failed fault keeps it in the swap cache.
func wantOn(v fixes.Variant) want {
	w := wants[v.Fix.Name]
	if !v.Kernel.HasBypass() {
		w.path, w.lostOnFailure = model.PathSwapCache, false
		if v.Fix.Name == "merged" {
			w.entryAfterLd = false
		}
	}
	return w
}

func newKernel(t *testing.T, v fixes.Variant) (*model.Kernel, *model.MM) {
	t.Helper()
	cfg, err := v.Config(model.Config{Backend: model.BackendZswapZram, SwapPages: 1024})
	if err != nil {
		t.Fatal(err)
	}
	k, err := model.NewKernel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mm, _ := k.NewMM(1)
	r := k.NewReclaim("reclaim", 0, mm, 0)
	if err := k.Run(r); err != nil || r.Result != model.ReclaimFreed || !r.Stored {
		t.Fatalf("swapout: %v, result %d, stored %v", err, r.Result, r.Stored)
	}
	return k, mm
}

func variants(t *testing.T) []fixes.Variant {
	vs, err := fixes.Matrix(nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func TestEveryFixHasExpectations(t *testing.T) {
	for _, n := range fixes.Names() {
		if _, ok := wants[n]; !ok {
			t.Errorf("fix %s has no expected behaviour in this test", n)
		}
		f, _ := fixes.Lookup(n)
		if f.Summary == "" || f.Author == "" || f.Source == "" || f.Kernel == "" || len(f.Syncs) == 0 {
			t.Errorf("fix %s: incomplete metadata %+v", n, f)
		}
	}
}

func TestPathAndLoad(t *testing.T) {
	for _, v := range variants(t) {
		t.Run(v.String(), func(t *testing.T) {
			w := wantOn(v)
			k, mm := newKernel(t, v)
			e := mm.PTE(0).Entry()
			a := k.NewAccess("fault", 1, mm, 0, false)
			if err := k.RunUntil(a, model.StepFolioLockOrRetry); err != nil {
				t.Fatal(err)
			}
			if got := k.ZswapHas(e); got != w.entryAfterLd {
				t.Errorf("zswap holds the entry after the load: %v, want %v", got, w.entryAfterLd)
			}
			if err := k.Run(a); err != nil {
				t.Fatal(err)
			}
			if a.LastPath != w.path || !a.ZswapHit {
				t.Errorf("path %v (zswap hit %v), want %v from zswap", a.LastPath, a.ZswapHit, w.path)
			}
			k.DrainSlotCaches()
			k.CheckQuiescent()
			for _, viol := range k.Violations() {
				t.Error(viol)
			}
		})
	}
}

// failAfterRead makes the fault's pte_same fail (a soft-dirty clear) and
// runs the failed fault to its return.
func failAfterRead(t *testing.T, k *model.Kernel, mm *model.MM, a *model.Access) {
	t.Helper()
	if err := k.RunUntil(a, model.StepMap); err != nil {
		t.Fatal(err)
	}
	if err := k.Run(k.NewPTEChanger("clear_refs", 0, model.ChangeClearSoftDirty, mm, 0, nil, 0)); err != nil {
		t.Fatal(err)
	}
	k.Step(a)
	if err := k.RunUntil(a, model.StepHandleFault); err != nil {
		t.Fatal(err)
	}
	if a.LastRet != model.FaultOK || a.Faults != 1 {
		t.Fatalf("fault returned %v after %d faults", a.LastRet, a.Faults)
	}
}

func TestFailureExits(t *testing.T) {
	for _, v := range variants(t) {
		t.Run(v.String(), func(t *testing.T) {
			w := wantOn(v)
			k, mm := newKernel(t, v)
			a := k.NewAccess("fault", 1, mm, 0, false)
			failAfterRead(t, k, mm, a)
			if err := k.Run(a); err != nil {
				t.Fatal(err)
			}
			if lost := k.LostPages() > 0; lost != w.lostOnFailure {
				t.Errorf("page lost: %v, want %v (violations %v)", lost, w.lostOnFailure, k.Violations())
			}
		})
	}
}

// TestWritebackOnFailureStoreFails: when the store back fails,
// writeback-on-failure loses the page, and says so; writeback-or-device
// writes it to zram instead (one more compression, zram's) and the
// refault reads it from there.
func TestWritebackOnFailureStoreFails(t *testing.T) {
	for _, tc := range []struct {
		fix  string
		lost int
	}{{"writeback-on-failure", 1}, {"writeback-or-device", 0}} {
		f, _ := fixes.Lookup(tc.fix)
		for _, kb := range model.KernelBases() {
			if f.AppliesTo(kb) != nil {
				continue
			}
			t.Run(tc.fix+"/"+kb.String(), func(t *testing.T) {
				k, mm := newKernel(t, fixes.Variant{Fix: f, Sync: f.DefaultSync(), Kernel: kb})
				e := mm.PTE(0).Entry()
				a := k.NewAccess("fault", 1, mm, 0, false)
				if err := k.RunUntil(a, model.StepMap); err != nil {
					t.Fatal(err)
				}
				k.Run(k.NewPTEChanger("clear_refs", 0, model.ChangeClearSoftDirty, mm, 0, nil, 0))
				k.Step(a) // pte_same fails
				if a.Next() != model.StepFaultFailed {
					t.Fatalf("failed fault went to %v, want the fault-failed hook", a.Next())
				}
				k.FailNext(model.FailZswapStore, 1)
				writes := k.Counts[model.OpDeviceWrite]
				k.Step(a)
				if k.ZswapHas(e) {
					t.Fatal("zswap holds the entry although the store back failed")
				}
				if got := k.Counts[model.OpDeviceWrite] - writes; got != uint64(1-tc.lost) {
					t.Errorf("%d device writes after the failed store, want %d", got, 1-tc.lost)
				}
				if err := k.Run(a); err != nil {
					t.Fatal(err)
				}
				if k.LostPages() != tc.lost {
					t.Fatalf("violations %v, want %d pages lost", k.Violations(), tc.lost)
				}
			})
		}
	}
}

// TestStoreBackRelocksOnRetry: on the RETRY exit the fault no longer
// holds the folio lock; the store back takes it again first, waiting for
// the holder.
func TestStoreBackRelocksOnRetry(t *testing.T) {
	f, _ := fixes.Lookup("writeback-on-failure")
	k, mm := newKernel(t, fixes.Variant{Fix: f, Sync: f.DefaultSync(), Kernel: model.V6_9})
	a := k.NewAccess("fault", 1, mm, 0, false)
	if err := k.RunUntil(a, model.StepFolioLockOrRetry); err != nil {
		t.Fatal(err)
	}
	k.Step(k.NewLRUDrainer("lru_drain", a.CPU())) // the folio leaves CPU 1's lru_add batch
	h := k.NewLockHolder("holder", 0)
	k.Step(h) // locks the fault's folio, the newest on the LRU
	k.Step(a) // folio_lock_or_retry fails: wait for the lock
	for a.Next() == model.StepFolioWaitLocked && !a.Runnable(k) {
		k.Step(h)
	}
	k.Step(a) // VM_FAULT_RETRY
	if a.Next() != model.StepFaultFailedLock {
		t.Fatalf("the RETRY exit went to %v, want to take the folio lock for the hook", a.Next())
	}
	if err := k.Run(a, h); err != nil {
		t.Fatal(err)
	}
	if k.LostPages() != 0 {
		t.Fatalf("violations %v", k.Violations())
	}
}

// TestWritebackOnFailureRecompresses: the store back puts the entry back
// before the refault.
func TestWritebackOnFailureRecompresses(t *testing.T) {
	f, _ := fixes.Lookup("writeback-on-failure")
	k, mm := newKernel(t, fixes.Variant{Fix: f, Sync: f.DefaultSync(), Kernel: model.V6_9})
	e := mm.PTE(0).Entry()
	before := k.Counts[model.OpCompress]
	a := k.NewAccess("fault", 1, mm, 0, false)
	failAfterRead(t, k, mm, a)
	if !k.ZswapHas(e) || k.Counts[model.OpCompress] != before+1 {
		t.Errorf("after the failed fault: zswap has entry %v, compressions %d (want true, %d)",
			k.ZswapHas(e), k.Counts[model.OpCompress], before+1)
	}
}

func TestBadNames(t *testing.T) {
	if _, err := fixes.Lookup("fast"); err == nil || !strings.Contains(err.Error(), "want one of exclusive, always-swapcache") {
		t.Errorf("Lookup: %v", err)
	}
	for _, tc := range []struct {
		fixes, syncs, kernels []string
		want                  string
	}{
		{[]string{"nope"}, nil, nil, `fix "nope": unknown`},
		{nil, []string{"spin"}, nil, `sync mode "spin": unknown; want one of folio-lock, none, tick, waitqueue`},
		{nil, nil, []string{"v7"}, `kernel base "v7": unknown; want one of v6.8, v6.9, v6.10`},
		{[]string{"never-bypass"}, []string{"tick"}, nil, "no variant matches"},
		{[]string{"never-bypass"}, nil, []string{"v7.0"}, "it is v7.0's own behaviour"},
		{[]string{"always-swapcache"}, nil, []string{"v7.0"}, "it changes the bypass path, which v7.0 does not have"},
		{nil, []string{"tick"}, []string{"v7.0"}, "v7.0 has no bypass, its swapins synchronise on the swap cache; want folio-lock"},
	} {
		if _, err := fixes.Matrix(tc.fixes, tc.syncs, tc.kernels); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Matrix(%v, %v, %v): %v, want %q", tc.fixes, tc.syncs, tc.kernels, err, tc.want)
		}
	}
	f, _ := fixes.Lookup("never-bypass")
	if _, err := f.Hooks(model.SyncTick); err == nil || !strings.Contains(err.Error(), "folio-lock") {
		t.Errorf("Hooks(tick) for never-bypass: %v", err)
	}
}

// TestProperties checks the properties other packages read instead of
// fix names: one baseline, and mainline ranges that do not overlap and
// leave no release from v6.5 to v7.x without a fix.
func TestProperties(t *testing.T) {
	var base []string
	for _, f := range fixes.All() {
		if f.Baseline {
			base = append(base, f.Name)
		}
	}
	if len(base) != 1 || fixes.Baseline().Name != base[0] {
		t.Errorf("baseline fixes %v, Baseline() %s: want exactly one", base, fixes.Baseline().Name)
	}
	for major := 6; major <= 7; major++ {
		for minor := 0; minor <= 20; minor++ {
			r := fixes.Release{Major: major, Minor: minor}
			if r.Less(fixes.Release{Major: 6, Minor: 5}) {
				continue
			}
			var in []string
			for _, f := range fixes.All() {
				if f.Mainline.Contains(r) {
					in = append(in, f.Name)
				}
			}
			if len(in) != 1 {
				t.Errorf("release %s is the default behaviour of %v; want exactly one fix", r, in)
			}
		}
	}
	if _, err := fixes.Mainline(fixes.Release{Major: 6, Minor: 12}); err != nil {
		t.Error(err)
	}
}
