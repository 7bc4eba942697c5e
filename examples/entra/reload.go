package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/scimkit/scimkit/auth/oauth"
)

// reloadClients loads the clients file into clients each time reload
// receives (SIGHUP: kill -HUP <pid>), until ctx is done, so that rotating
// a secret needs no restart: add the new secret's hash next to the old
// one, reload, give Entra the new secret, then remove the old hash and
// reload again. Disabling a client, or adding one, is the same. A file
// that does not load, or holds an invalid client, changes nothing: the
// clients in use stay as they were and the error is logged. Tokens
// issued before a reload stay valid for their lifetime (auth/oauth's
// doc says why), unless the client is gone or disabled.
func reloadClients(ctx context.Context, reload <-chan os.Signal, file string, clients *oauth.Clients, logger *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-reload:
		}
		cs, err := oauth.LoadClients(file)
		if err == nil {
			err = clients.Replace(cs...)
		}
		if err != nil {
			logger.ErrorContext(ctx, "clients file not reloaded: the clients in use are unchanged", "file", file, "err", err)
			continue
		}
		logger.InfoContext(ctx, "clients file reloaded", "file", file, "clients", len(cs))
	}
}
