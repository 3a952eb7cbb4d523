package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
)

// Where the instances of one deployment share their registry versions (registry.Shared): the
// newest version under one key, and each instance's own under its name, for operators.
const (
	registryBucket   = "registry-versions"
	registryNewest   = "newest"
	registryInstance = "instance/"
)

// sharedRegistry implements registry.Shared on the state store.
type sharedRegistry struct{ db storage.Store }

var _ registry.Shared = sharedRegistry{}

// Publish records instance's version and makes it the newest when it was imported after the
// newest one recorded (in one transaction, so two instances importing at once agree).
func (s sharedRegistry) Publish(ctx context.Context, instance string, v registry.Version) error {
	return s.db.Update(ctx, func(tx storage.Tx) error {
		own, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if err := tx.Put(registryBucket, registryInstance+instance, own); err != nil {
			return err
		}
		newest, err := readVersion(tx)
		if err != nil {
			return err
		}
		if !v.Newer(newest) {
			return nil
		}
		v.Instance = instance
		doc, err := json.Marshal(v)
		if err != nil {
			return err
		}
		return tx.Put(registryBucket, registryNewest, doc)
	})
}

// Newest implements registry.Shared.
func (s sharedRegistry) Newest(ctx context.Context) (v registry.Version, err error) {
	err = s.db.View(ctx, func(tx storage.Tx) error {
		v, err = readVersion(tx)
		return err
	})
	return v, err
}

func readVersion(tx storage.Tx) (registry.Version, error) {
	var v registry.Version
	b, err := tx.Get(registryBucket, registryNewest)
	if errors.Is(err, storage.ErrNotFound) {
		return v, nil
	}
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		// A damaged record must not stop the sync: the next import writes a good one.
		return registry.Version{}, nil
	}
	return v, nil
}

// instanceName names this process among the instances: host and process id.
func instanceName() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}
