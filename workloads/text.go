package workloads

import (
	"encoding/binary"
	"strings"
)

// wordList is the vocabulary of the text class: common English words, most
// frequent first (the generator favours the head of the list).
const wordList = `the of and to a in is it you that he was for on are with as I his they
be at one have this from or had by not word but what some we can out other were
all there when up use your how said an each she which do their time if will way
about many then them write would like so these her long make thing see him two
has look more day could go come did number sound no most people my over know
water than call first who may down side been now find any new work part take get
place made live where after back little only round man year came show every good
me give our under name very through just form sentence great think say help low
line differ turn cause much mean before move right boy old too same tell does set
three want air well also play small end put home read hand port large spell add
even land here must big high such follow act why ask men change went light kind
off need house picture try us again animal point mother world near build self
earth father head stand own page should country found answer school grow study
still learn plant cover food sun four between state keep eye never last let
thought city tree cross farm hard start might story saw far sea draw left late run
while press close night real life few north open seem together next white children
begin got walk example ease paper group always music those both mark often letter
until mile river car feet care second book carry took science eat room friend
began idea fish mountain stop once base hear horse cut sure watch color face wood
main enough plain girl usual young ready above ever red list though feel talk
bird soon body dog family direct pose leave song measure door product black short
numeral class wind question happen complete ship area half rock order fire south
problem piece told knew pass since top whole king space heard best hour better
during hundred five remember step early hold west ground interest reach fast
verb sing listen six table travel less morning simple several vowel toward war lay
against pattern slow center love person money serve appear road map rain rule
govern pull cold notice voice unit power town fine certain fly fall lead cry dark
machine note wait plan figure star box noun field rest correct able pound done
beauty drive stood contain front teach week final gave green quick develop ocean
warm free minute strong special mind behind clear tail produce fact street inch
multiply nothing course stay wheel full force blue object decide surface deep
moon island foot system busy test record boat common gold possible plane stead dry
wonder laugh thousand ago ran check game shape equate hot miss brought heat snow
tire bring yes distant fill east paint language among`

// phrase is one entry of phrases, packed for 8-byte stores.
type phrase struct {
	b [maxPhrase / 8]uint64 // the bytes, little-endian, zero padded
	n int
}

const (
	numPhrases = 1024
	maxPhrase  = 64 // bytes
	topicSize  = 16 // phrases in one page's topic window
)

// phrases is a fixed list of word sequences (4-11 words, at most
// maxPhrase bytes) joined by spaces. A text page draws most of its phrases
// from a small "topic" window of this list, so phrases recur within a page
// as they do in real text.
var phrases = func() []phrase {
	f := strings.Fields(wordList)
	n := uint64(len(f))
	r := rng{0x7e47}
	head := func() uint64 { return r.below(n) * r.below(1024) >> 10 } // favour frequent words
	ps := make([]phrase, numPhrases)
	for i := range ps {
		var buf [maxPhrase]byte
		w := head()
		nb := copy(buf[:], f[w])
		for range 3 + r.below(8) {
			if r.next()&1 == 0 {
				w = head()
			} else {
				w = (w*7 + 3) % n // a fixed follower: word pairs recur
			}
			if nb+1+len(f[w]) > maxPhrase {
				break
			}
			buf[nb] = ' '
			nb += 1 + copy(buf[nb+1:], f[w])
		}
		for k := range ps[i].b {
			ps[i].b[k] = binary.LittleEndian.Uint64(buf[8*k:])
		}
		ps[i].n = nb
	}
	return ps
}()

// fillText writes wrapped English-like text: sentences of phrases, some
// commas, a capital after each full stop, lines of at most about 72
// columns and the odd blank line between paragraphs.
func fillText(dst []byte, r rng) {
	var st textState
	st.topic = int(r.below(numPhrases - topicSize))
	st.capital = 1
	var tail [textUnit]byte
	for i := 0; i < PageSize; {
		v := r.next()
		for range 2 { // 32 random bits per unit
			if i+textUnit <= PageSize {
				i += st.unit(dst[i:i+textUnit], i > 0, v&0xffffffff)
			} else {
				n := st.unit(tail[:], i > 0, v&0xffffffff)
				i += copy(dst[i:], tail[:n])
				if i == PageSize {
					return
				}
			}
			v >>= 32
		}
	}
}

// textUnit is the most one textState.unit writes: a blank line, a phrase
// and a punctuation mark.
const textUnit = 2 + maxPhrase + 1

// textState is the state of fillText between units.
type textState struct {
	topic   int // first phrase of this page's topic window
	col     int // column of the next byte
	capital int // 1 if the next phrase starts a sentence
}

// unit writes one separator (unless first), phrase and punctuation mark to
// d and returns how many bytes it wrote. v holds 32 random bits: 16 choose
// the phrase and 16 the layout. It avoids hard-to-predict branches.
func (st *textState) unit(d []byte, sep bool, v uint64) int {
	d = d[:textUnit]
	b, p := v&0xffff, v>>16
	k := int(b >> 4 * numPhrases >> 12) // 1/8: any phrase
	if b&7 != 0 {                       // 7/8: a phrase of this page's topic
		k = st.topic + int(b>>3&(topicSize-1))
	}
	ph := &phrases[k]
	i := 0
	if sep {
		// A new line when the phrase would pass column 72 and at one in
		// eight sentence starts, then a blank line at one in four of those.
		nl := b2i(st.col+ph.n > 72) | st.capital&b2i(p>>5&7 == 0)
		blank := nl & st.capital & b2i(p>>8&3 == 0)
		binary.LittleEndian.PutUint16(d, uint16(' '+nl*('\n'-' '))|'\n'<<8)
		i = 1 + blank
		st.col = (st.col + 1) * (1 - nl)
	}
	w := d[i : i+maxPhrase]
	for j, x := range ph.b {
		binary.LittleEndian.PutUint64(w[8*j:], x)
	}
	w[0] -= byte(st.capital&b2i(w[0] >= 'a')) * ('a' - 'A')
	i += ph.n
	st.col += ph.n
	// A full stop after one in eight phrases, a comma after one in 16.
	d[i] = punct[p&15]
	adv := b2i(punct[p&15] != 0)
	st.capital = b2i(p&7 == 0)
	st.col += adv
	return i + adv
}

var punct = [16]byte{0: '.', 1: ',', 8: '.'}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
