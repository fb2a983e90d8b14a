// Package probe requests webhook URLs the way Twilio does and measures every
// phase of each attempt, so that steps 2 and 3 of the isolation procedure
// ("request the URL by other means, many times"; "bypass the load balancer")
// produce evidence instead of impressions.
//
// One attempt is traced with net/http/httptrace in the style of the
// blackbox_exporter HTTP prober: DNS, connect, TLS, time to first byte and
// total, with the certificate chain, the HTTP version and the response's
// status, Content-Type and size. A failed attempt keeps the phases that
// finished and names the failed phase, an error class and the Twilio error
// code the same failure produces (11210, 11202, 11205, 11217, 12300 …).
//
// A Prober samples targets several times, each resolved address separately
// and, with curl-style --resolve overrides, the origin behind a load
// balancer; Summarize turns the attempts into per-target and per-address
// statistics with a verdict: the cause of the failures when all or most
// attempts fail (the cause IDs of the bundle's diagnosis, with the figures
// that decide them in Facts), otherwise how the target answered. Explain
// and WriteTable say it in the catalogs' languages. History files (CSV)
// accumulate attempts across runs, and AuditFallback checks that a fallback
// URL lives on another network.
package probe
