package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

// An idle dialogue is warned once before it expires; when it expires the draft is put aside
// (not deleted) for another SessionTTL, and LANJUT brings it back at the question it stopped at.

// paused is a dialogue put aside at expiry.
type paused struct {
	State string            `json:"state"`
	Flow  string            `json:"flow"`
	Data  map[string]string `json:"data"`
	Back  []string          `json:"back,omitempty"`
	At    time.Time         `json:"at"`
}

// warnLead is how long before expiry the warning goes out.
func warnLead(ttl time.Duration) time.Duration { return min(ttl/4, 15*time.Minute) }

const idleBucket = "idle_warned"

// expire puts the dialogue aside and tells the citizen how to resume.
func (c *conv) expire() {
	c.pull()
	p := paused{State: c.s.State, Flow: c.s.Flow, Data: c.d.encode(), Back: c.s.Back, At: c.now}
	delete(p.Data, kPaused)
	b, _ := json.Marshal(p)
	c.reset()
	c.d.Paused = string(b)
	c.say(msgExpiredKept, words(c.e.SessionTTL), words(c.e.SessionTTL))
	c.prompt()
}

// resume brings back a dialogue put aside, if there is one still fresh. It reports whether it did.
func (c *conv) resume() bool {
	if c.d.Paused == "" {
		return false
	}
	var p paused
	err := json.Unmarshal([]byte(c.d.Paused), &p)
	c.d.Paused = ""
	if err != nil || !validState(p.State) || (c.e.SessionTTL > 0 && c.now.Sub(p.At) > c.e.SessionTTL) {
		c.say(msgNothingToResume)
		c.prompt()
		return true
	}
	c.s.State, c.s.Flow, c.s.Back = p.State, p.Flow, p.Back
	c.d = decodeDraft(p.Data)
	c.say(msgResumed)
	c.prompt()
	return true
}

// inDraft says whether the dialogue holds answers that leaving for the menu would lose.
func (c *conv) inDraft() bool {
	c.pull()
	st := stepOf[c.s.State]
	return st != nil && (st.flow == "lapor" || st.flow == "sanggah") && c.d.NIK != ""
}

// askLeave asks before "menu" throws a draft away.
func (c *conv) askLeave() {
	c.d.AskLeave = "1"
	r := c.say(msgLeaveDraft)
	r.Choices = choices(leaveOptions)
	r.Columns = 2
	r.Step = c.s.State
}

// leaveAnswer takes the answer to askLeave; anything else is an answer to the question itself.
func (c *conv) leaveAnswer(text string) bool {
	if c.d.AskLeave == "" {
		return false
	}
	c.d.AskLeave = ""
	switch i := pick(leaveOptions, text); {
	case i < 0:
		return false
	case leaveOptions[i].Key == "ya":
		c.reset()
		c.say(msgCancelled)
		c.prompt()
	default:
		c.prompt()
	}
	return true
}

// WarnIdle tells every citizen whose dialogue will expire within warnLead that typing anything
// keeps it, once per idle spell. Call it every minute or so.
func (e *Engine) WarnIdle(ctx context.Context) ([]Reply, error) {
	if e.SessionTTL <= 0 {
		return nil, nil
	}
	var out []Reply
	err := e.Store.Update(ctx, func(tx storage.Tx) error {
		out = out[:0]
		type due struct {
			chat storage.ChatAddr
			at   time.Time
		}
		var warn []due
		err := tx.ForEachSession(func(chat storage.ChatAddr, s *storage.Session) error {
			idle := tx.Now().Sub(s.UpdatedAt)
			if s.State == stMenu || idle > e.SessionTTL || idle < e.SessionTTL-warnLead(e.SessionTTL) {
				return nil
			}
			warn = append(warn, due{chat, s.UpdatedAt})
			return nil
		})
		if err != nil {
			return err
		}
		for _, w := range warn {
			// The mark is the idle spell's start: a later step starts a new spell, so no
			// clean-up is needed, and storing it does not touch the session's idle clock.
			mark, _ := w.at.MarshalText()
			if old, err := tx.Get(idleBucket, w.chat.Key()); err == nil && string(old) == string(mark) {
				continue
			}
			if err := tx.Put(idleBucket, w.chat.Key(), mark); err != nil {
				return err
			}
			left := e.SessionTTL - tx.Now().Sub(w.at)
			out = append(out, Reply{To: w.chat, Text: fmt.Sprintf(msgIdleWarning, strings.TrimSpace(lateWords(left)))})
		}
		return enqueue(tx, out)
	})
	return out, err
}
