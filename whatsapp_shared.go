package main

import (
	"context"
	"errors"
	"time"

	"github.com/rs/zerolog"
	"go.mau.fi/whatsmeow/store/sqlstore"

	"github.com/laporbansos/laporbansos/bot/whatsapp"
	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/postgres"
)

// How the leader waits, with PostgreSQL, for a linked device (someone runs whatsapp login on any
// instance) and for the session lock (held by a whatsapp command, or by the last leader until
// it has disconnected).
var (
	waLinkPoll  = 30 * time.Second
	waLockRetry = 2 * time.Second
)

// newWhatsAppClient builds a term's client on the shared session, and useWhatsAppVersion picks
// the WhatsApp Web version it presents; tests substitute both (no network).
var (
	newWhatsAppClient = func(ctx context.Context, c *sqlstore.Container, log zerolog.Logger) (whatsapp.Client, error) {
		return whatsapp.NewClient(ctx, c, log)
	}
	useWhatsAppVersion = func(ctx context.Context, log zerolog.Logger) { whatsapp.UseLatestVersion(ctx, nil, log) }
)

// startSharedWhatsApp is startWhatsApp with the state in PostgreSQL: the session (whatsmeow's
// store) and the inbox are in the shared database, every instance builds the channel, and only
// the leader runs it: runTerm waits for a linked device and the session lock, then runs the
// channel with a client fresh from the store until the term ends.
func (m *Main) startSharedWhatsApp(ctx context.Context, pg *postgres.DB, a *app, notify []storage.ChatAddr) (*whatsapp.Channel, func(context.Context) error, func(), error) {
	container, err := whatsapp.OpenSharedStore(ctx, pg, m.log)
	if err != nil {
		return nil, nil, nil, err
	}
	wa := whatsapp.New(whatsapp.Options{
		Store: a.db, Polls: true, Log: m.log, Inbox: pg.WhatsAppInbox(),
		StaffGroups: m.whatsappStaffGroups(), StaffNumbers: m.cfg.WhatsApp.StaffNumbers,
		Notify: notify, Wake: a.sender.Wake, Now: m.Now,
		RefreshVersion: whatsapp.VersionRefresher(nil, m.log),
		SharedSession:  true,
	})
	t := &waTerms{m: m, pg: pg, container: container, wa: wa, a: a, notify: notify}
	return wa, t.run, func() { container.Close() }, nil
}

// waTerms runs the shared WhatsApp session during the terms of this instance as leader.
type waTerms struct {
	m         *Main
	pg        *postgres.DB
	container *sqlstore.Container // for the link check; each run opens its own
	wa        *whatsapp.Channel
	a         *app
	notify    []storage.ChatAddr
	// told: the log and the staff know no device is linked. Kept across this instance's terms
	// (run never runs twice at once), so a term lost and regained does not tell them again.
	told bool
}

// errUnlinked and errLoggedOut end a run because no device is linked (any more): the leader
// waits for a new link rather than for its next term. After errLoggedOut the channel has told
// the staff already; after errUnlinked (the device went between the check and the lock) the
// wait tells them.
var (
	errUnlinked  = errors.New("whatsapp: no linked device")
	errLoggedOut = errors.New("whatsapp: the linked device was removed")
)

// run is one term: until it ends, wait for a linked device, take the session lock, run the
// channel. A permanent stop other than an unlink (stream replaced, client outdated) ends the
// channel until the next term, as it ends it until a restart with the bbolt file; other
// failures are retried.
func (t *waTerms) run(term context.Context) error {
	log := t.m.log.With().Str("component", "whatsapp").Logger()
	waitedLock := false
	var replaced []time.Time // recent "stream replaced" ends of this term's runs
	for term.Err() == nil {
		device, err := t.container.GetFirstDevice(term)
		if err != nil {
			if term.Err() == nil {
				log.Warn().Err(err).Msg("WhatsApp session store unreadable; retrying")
			}
			sleepCtx(term, waLockRetry)
			continue
		}
		if device.ID == nil {
			if !t.told {
				t.told = true
				log.Error().Err(whatsapp.ErrNotPaired).Msg("WhatsApp channel waits for a linked device (laporbansos whatsapp login, on any instance); the other channels keep serving and WhatsApp replies stay queued")
				if err := whatsapp.TellStaffNotStarted(term, t.a.db, t.notify, whatsapp.ErrNotPaired); err != nil {
					log.Error().Err(err).Msg("could not tell the staff chats")
				}
			}
			sleepCtx(term, waLinkPoll)
			continue
		}
		t.told = false
		release, lost, err := whatsapp.LockSharedSession(term, t.pg)
		if err != nil {
			if !waitedLock && term.Err() == nil {
				waitedLock = true
				log.Warn().Err(err).Msg("waiting for the WhatsApp session (a whatsapp command, or the last leader disconnecting)")
			}
			sleepCtx(term, waLockRetry)
			continue
		}
		waitedLock = false
		err = t.runLocked(term, lost)
		release()
		switch {
		case term.Err() != nil:
			return nil
		case errors.Is(err, errLoggedOut):
			t.told = true // the channel told them why it stopped
		case isReplaced(err) && !replacedTooOften(&replaced, time.Now()):
			// A failover's overlap: the old leader connected after this one, or this one after
			// it. The other side's lock is gone by now; connect again.
			log.Warn().Dur("retry_in", waReplacedRetry).Msg("WhatsApp session was taken by another connection; connecting again")
			sleepCtx(term, waReplacedRetry)
		case errors.Is(err, whatsapp.ErrPermanentDisconnect):
			if isReplaced(err) {
				// Not a failover: something else uses the session. Say so, as a single instance does.
				log.Error().Err(err).Msg("WhatsApp session taken again and again by another connection; WhatsApp stops until the next term")
				if terr := whatsapp.TellStaffNotStarted(term, t.a.db, t.notify, err); terr != nil {
					log.Error().Err(terr).Msg("could not tell the staff chats")
				}
			}
			return err
		case err != nil:
			// The store unreadable for a moment, say: try again within the term.
			log.Warn().Err(err).Msg("WhatsApp session could not be started; retrying")
			sleepCtx(term, waLockRetry)
		}
	}
	return nil
}

// runLocked runs the channel with a fresh client while the session lock is held; losing the
// lock's connection disconnects WhatsApp at once (another instance may take the session). The
// client's store is a container of its own, closed after the run: whatsmeow's LID map caches
// lookups per container, also misses, and another leader may have learnt pairs since.
func (t *waTerms) runLocked(term context.Context, lost <-chan struct{}) error {
	log := t.m.log.With().Str("component", "whatsapp").Logger()
	container, err := whatsapp.OpenSharedStore(term, t.pg, t.m.log)
	if err != nil {
		return err
	}
	defer container.Close()
	cli, err := newWhatsAppClient(term, container, t.m.log)
	if errors.Is(err, whatsapp.ErrNotPaired) {
		return errUnlinked
	}
	if err != nil {
		return err
	}
	if err := t.wa.SetClient(cli); err != nil {
		return err
	}
	useWhatsAppVersion(term, log)
	ctx, cancel := context.WithCancel(term)
	defer cancel()
	go func() {
		select {
		case <-lost:
			log.Warn().Msg("WhatsApp session lock lost with its database connection; disconnecting")
			cancel()
		case <-ctx.Done():
		}
	}()
	err = t.wa.Run(ctx, t.a.disp)
	if err != nil && term.Err() == nil {
		// Logged out: whatsmeow has deleted the device from the store.
		if d, derr := container.GetFirstDevice(term); derr == nil && d.ID == nil {
			log.Error().Err(err).Msg("WhatsApp channel stopped; it starts again once the number is linked (laporbansos whatsapp login, on any instance)")
			return errLoggedOut
		}
	}
	return err
}

// waReplacedRetry is how long a leader waits before connecting again after "stream replaced";
// replacedLimit such ends within replacedWindow are no failover any more.
var (
	waReplacedRetry = 10 * time.Second
	replacedLimit   = 3
	replacedWindow  = 10 * time.Minute
)

func isReplaced(err error) bool {
	var de *whatsapp.DisconnectError
	return errors.As(err, &de) && de.Replaced
}

// replacedTooOften records a "stream replaced" at now and reports whether there were
// replacedLimit of them within replacedWindow.
func replacedTooOften(at *[]time.Time, now time.Time) bool {
	kept := (*at)[:0]
	for _, t := range *at {
		if now.Sub(t) < replacedWindow {
			kept = append(kept, t)
		}
	}
	*at = append(kept, now)
	return len(*at) >= replacedLimit
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
