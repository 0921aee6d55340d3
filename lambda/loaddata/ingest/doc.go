// Package ingest fetches a GBFS bike-share feed and stores it as one raw
// snapshot: the station_information and station_status documents, verbatim,
// gzip-compressed in a single JSON object under
// <prefix>dt=YYYY-MM-DD/velib-YYYYMMDDTHHMMSSZ.json.gz, where the time is the
// status feed's last_updated, in UTC.
//
// The key depends only on the snapshot, so a retry or a re-run overwrites the
// same object instead of adding a duplicate. Nothing is written unless both
// documents were fetched and passed validation.
package ingest
