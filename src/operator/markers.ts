// server_meta keys shared by the server and the operator commands (written by one, read by the other).

/** set (ISO time) by the server the first time a request carries X-Forwarded-For while TRUST_PROXY=0; read by doctor */
export const XFF_SEEN_META_KEY = "xff_seen_untrusted_at";
/** ISO time of the last successful requestCrawl, written by the crawler notifier; read by doctor */
export const CRAWLER_NOTIFIED_META_KEY = "crawler_notified_at";
/** written by `backup restore`: the follow-up the first start consumes (#sync per active repo); JSON */
export const RESTORE_PENDING_META_KEY = "restore_pending";
/** the firehose high-water mark: the sequencer never issues a seq at or below it (set by `backup restore`) */
export const SEQ_FLOOR_META_KEY = "firehose_seq_floor";
