// Package testkit holds what the project's tests share: a runner for the
// built command, a reader of bundle zips, the text and page images of a PDF
// through poppler (with needtool's rule: skipped and named when missing,
// failed when CI is set), and builders of Evidence for the analysis and
// writer tests.
//
// The webhook servers the tests probe are in collect/webhooktest.
package testkit
