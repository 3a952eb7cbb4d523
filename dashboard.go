package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/laporbansos/laporbansos/bot/dashboard"
	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
)

// dashboardHandler is the web dashboard for the shared HTTP listener, to be served at "/". It
// reads the same store and registry as the bot; cookies are Secure, so the listener must sit
// behind HTTPS (a reverse proxy) for browsers to keep the login.
func (m *Main) dashboardHandler(db storage.Store, reg *registry.Registry) http.Handler {
	var meta dashboard.Registry
	if reg != nil { // a nil *Registry in the interface would not compare equal to nil
		meta = reg
	}
	return dashboard.New(db, meta, dashboard.Config{
		Agency:      m.cfg.Agency,
		VerifySLA:   m.cfg.VerifySLA,
		DeliverySLA: m.cfg.DeliverySLA,
	}, m.Now, m.log.With().Str("component", "dashboard").Logger())
}

// users manages dashboard accounts: add NAME --role viewer|supervisor, list, remove NAME. The
// password is read from the terminal (twice, not echoed) or, when stdin is not a terminal, from
// its first line; never from the command line, where ps and shell history would keep it.
func (m *Main) users(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError{"users needs a subcommand: add, list or remove"}
	}
	m.log = m.logger(m.Stderr)
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("users "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	role := fs.String("role", string(storage.RoleViewer), "viewer or supervisor")
	// NAME may come before or after --role.
	var names []string
	for {
		if err := fs.Parse(args); err != nil {
			return usageError{fmt.Sprintf("bad arguments for users %s", sub)}
		}
		if fs.NArg() == 0 {
			break
		}
		names, args = append(names, fs.Arg(0)), fs.Args()[1:]
	}
	want := map[string]int{"add": 1, "list": 0, "remove": 1}
	n, ok := want[sub]
	if !ok {
		return usageError{fmt.Sprintf("unknown users subcommand %q", sub)}
	}
	if len(names) != n {
		return usageError{fmt.Sprintf("users %s takes %d account name(s)", sub, n)}
	}
	if sub == "add" && !storage.Role(*role).Valid() {
		return usageError{"--role must be viewer or supervisor"}
	}
	var name string
	if n == 1 {
		if name, ok = storage.NormalizeUserName(names[0]); !ok {
			return usageError{"account name: 1-32 characters of a-z 0-9 . _ -"}
		}
	}
	db, _, err := m.openState(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "list":
		us, err := db.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range us {
			fmt.Fprintf(m.Stdout, "%-20s %-10s %s\n", u.Name, u.Role, u.CreatedAt.Format("2006-01-02 15:04"))
		}
		return nil
	case "remove":
		if err := db.DeleteUser(ctx, name); err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				fmt.Fprintf(m.Stderr, "no account %s\n", name)
				return errNotFound
			}
			return err
		}
		fmt.Fprintf(m.Stderr, "account %s removed\n", name)
		return nil
	}
	if _, err := db.User(ctx, name); err == nil {
		return fmt.Errorf("account %s exists; remove it first to set a new password or role", name)
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	password, err := m.readPassword()
	if err != nil {
		return err
	}
	hash, err := dashboard.HashPassword(password)
	if err != nil {
		return err
	}
	if err := db.PutUser(ctx, storage.User{Name: name, Role: storage.Role(*role), Hash: hash}); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "account %s (%s) added\n", name, *role)
	return nil
}

func (m *Main) readPassword() (string, error) {
	if f, ok := m.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(m.Stderr, "Password: ")
		p1, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(m.Stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(m.Stderr, "Again: ")
		p2, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(m.Stderr)
		if err != nil {
			return "", err
		}
		if string(p1) != string(p2) {
			return "", errors.New("the passwords differ")
		}
		return string(p1), nil
	}
	line, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", errors.New("no password on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}
