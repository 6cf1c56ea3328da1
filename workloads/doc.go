// Package workloads generates deterministic, realistic 4 KiB page contents,
// page access patterns and failure-event rates for the swapbench simulator.
//
// The simulator never stores a simulated page: a Content regenerates the
// bytes of any (page, version) on demand from a seed, the same on every
// platform and without allocating. A page's version is its write count, so
// a rewritten page gets new contents.
//
// The built-in content classes and the anon-mix blend are shaped after
// published properties of real anonymous memory, per 4 KiB page (published:
// 6-20% zero, 2-3% same-filled, bimodal, mean ~700 B compressed in one
// study): 6-20% zero pages, 2-3% other same-filled pages (one repeated
// machine word), strongly bimodal compressibility (most pages either
// compress well or barely), and a mean compressed page of about 700 bytes
// with an lz4/lzo-class codec in one study.
//
// anon-mix draws 12% zero, 3% same-filled, 14% incompressible (16.5% of the
// pages that are not same-filled) and 71% compressible pages: 62% sparse
// heap-like pages, 4.5% text and 4.5% code-like pages. Over 100k pages the
// package tests measure these shares from the bytes and a mean compressed
// size of about 810 bytes with the reference fast LZ4 block compressor
// (github.com/pierrec/lz4/v4 CompressorCCompat, a page that does not shrink
// counted as 4096 bytes), and keep it within 600-900 bytes.
//
// Real pages can be captured from a live process with Capture into a corpus
// file (see WriteCorpus for the format) and replayed with the content class
// "corpus:PATH".
package workloads
