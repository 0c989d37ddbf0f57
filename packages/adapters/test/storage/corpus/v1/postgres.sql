-- callperm storage corpus, format v1: what release 0.1.0's postgresStore stores (see README.md).
-- Replay into a fresh schema: replace __SCHEMA__ with its name. Never edit this file.
BEGIN;
SET LOCAL client_encoding = 'UTF8';
SET LOCAL standard_conforming_strings = on;
CREATE SCHEMA "__SCHEMA__";
CREATE TABLE IF NOT EXISTS "__SCHEMA__".callperm_migrations (
        version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
-- migration 1
    CREATE TABLE "__SCHEMA__".callperm_threads (
      page_id    text    NOT NULL,
      psid       text    NOT NULL,
      version    integer NOT NULL CHECK (version >= 1),
      record     text    NOT NULL,
      due_at     bigint,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (page_id, psid)
    );
    CREATE INDEX callperm_threads_due ON "__SCHEMA__".callperm_threads (due_at) WHERE due_at IS NOT NULL;
    CREATE TABLE "__SCHEMA__".callperm_dedupe (
      event_id text   PRIMARY KEY,
      until    bigint NOT NULL
    );
    CREATE INDEX callperm_dedupe_until ON "__SCHEMA__".callperm_dedupe (until);
-- migration 2
    CREATE TABLE "__SCHEMA__".callperm_docs (
      kind       text    NOT NULL,
      key        text    NOT NULL,
      version    integer NOT NULL CHECK (version >= 1),
      value      text    NOT NULL,
      due_at     bigint,
      expires_at bigint,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (kind, key)
    );
    CREATE INDEX callperm_docs_due ON "__SCHEMA__".callperm_docs (kind, due_at) WHERE due_at IS NOT NULL;
    CREATE INDEX callperm_docs_expires ON "__SCHEMA__".callperm_docs (expires_at) WHERE expires_at IS NOT NULL;

INSERT INTO "__SCHEMA__".callperm_migrations (version, applied_at) VALUES
  (1, '2025-03-01 12:00:00+00'),
  (2, '2025-03-01 12:00:00+00');

INSERT INTO "__SCHEMA__".callperm_threads (page_id, psid, version, record, due_at, updated_at) VALUES
  ('0123456789', '0000000000000042', 1, '{"schema":1,"state":"requested","expiresAt":null,"provisional":false,"evidence":null,"requests":[1740830280000],"pending":{"at":1740830280000,"messageId":"m_0","ambiguous":false,"prior":"none"},"lastInboundAt":1740830220000,"remote":null,"lastEventAt":1740830280500,"dueAt":null}', NULL, '2025-03-01 12:00:00+00'),
  ('1234567890123456', '2345678901234567', 1, '{"schema":1,"state":"none","expiresAt":null,"provisional":false,"evidence":null,"requests":[],"pending":null,"lastInboundAt":null,"remote":null,"lastEventAt":null,"dueAt":null}', NULL, '2025-03-01 12:00:00+00'),
  ('1234567890123456', '2345678901234568', 2, '{"schema":1,"state":"none","expiresAt":null,"provisional":false,"evidence":null,"requests":[],"pending":null,"lastInboundAt":1740829800000,"remote":null,"lastEventAt":1740829800000,"dueAt":null}', NULL, '2025-03-01 12:00:00+00'),
  ('1234567890123456', '2345678901234569', 2, '{"schema":1,"state":"requested","expiresAt":null,"provisional":false,"evidence":null,"requests":[1740830400000],"pending":{"at":1740830400000,"messageId":null,"ambiguous":false,"prior":"none"},"lastInboundAt":1740830280000,"remote":null,"lastEventAt":1740830400000,"dueAt":null}', NULL, '2025-03-01 12:00:00+00'),
  ('1234567890123456', '2345678901234570', 3, '{"schema":1,"state":"requested","expiresAt":null,"provisional":false,"evidence":{"at":1740139200000,"rank":3,"weight":1740744000000},"requests":[1740758400000,1740826800000],"pending":{"at":1740826800000,"messageId":"m_AbC-123","ambiguous":false,"prior":"expired"},"lastInboundAt":1740826770000,"remote":null,"lastEventAt":1740826800800,"dueAt":1740844800000}', 1740844800000, '2025-03-01 12:00:00+00'),
  ('1234567890123456', '2345678901234571', 4, '{"schema":1,"state":"requested","expiresAt":null,"provisional":false,"evidence":{"at":1740571200000,"rank":1,"weight":-1},"requests":[1740830370000],"pending":{"at":1740830370000,"messageId":"m_é✓😀","ambiguous":true,"prior":"rejected"},"lastInboundAt":1740830100000,"remote":null,"lastEventAt":1740830371000,"dueAt":1740830430000}', 1740830430000, '2025-03-01 12:00:00+00'),
  ('1234567890123456', '2345678901234572', 5, '{"schema":1,"state":"approved","expiresAt":1741435200000,"provisional":false,"evidence":{"at":1740823200000,"rank":3,"weight":1741435200000},"requests":[1740819600000],"pending":null,"lastInboundAt":1740819540000,"remote":{"at":1740826800000,"canRequest":true,"requestLimits":[{"periodMs":86400000,"max":2,"used":1}],"canStartCall":true,"startCallLimits":[{"periodMs":86400000,"max":5,"used":0}]},"lastEventAt":1740826800000,"dueAt":1741435200000}', 1741435200000, '2025-03-01 12:00:00+00'),
  ('1234567890123456', '2345678901234573', 1, '{"schema":1,"state":"approved","expiresAt":null,"provisional":true,"evidence":{"at":1740829500000,"rank":2,"weight":9007199254740991},"requests":[],"pending":null,"lastInboundAt":null,"remote":null,"lastEventAt":1740829500000,"dueAt":1740829500000}', 1740829500000, '2025-03-01 12:00:00+00'),
  ('1234567890123456', '2345678901234574', 4, '{"schema":1,"state":"approved","expiresAt":1741348800000,"provisional":false,"evidence":{"at":1740829800000,"rank":4,"weight":1741348800000},"requests":[],"pending":null,"lastInboundAt":null,"remote":{"at":1740829800000,"canRequest":null,"requestLimits":[],"canStartCall":false,"startCallLimits":[{"periodMs":86400000,"max":5,"used":5},{"periodMs":604800000,"max":20,"used":12}]},"lastEventAt":1740829800000,"dueAt":1741348800000}', 1741348800000, '2025-03-01 12:00:00+00'),
  ('1234567890123456', '2345678901234575', 3, '{"schema":1,"state":"rejected","expiresAt":null,"provisional":false,"evidence":{"at":1740828000000,"rank":1,"weight":-1},"requests":[1740826800000],"pending":null,"lastInboundAt":1740826680000,"remote":null,"lastEventAt":1740828000000,"dueAt":null}', NULL, '2025-03-01 12:00:00+00'),
  ('1234567890123456', '2345678901234576', 6, '{"schema":1,"state":"expired","expiresAt":1740744000000,"provisional":false,"evidence":{"at":1740139200000,"rank":3,"weight":1740744000000},"requests":[],"pending":null,"lastInboundAt":null,"remote":{"at":1740657600000,"canRequest":false,"requestLimits":[],"canStartCall":null,"startCallLimits":[]},"lastEventAt":1740744000000,"dueAt":null}', NULL, '2025-03-01 12:00:00+00'),
  ('1234567890123456', '2345678901234577', 2, '{"schema":1,"state":"approved","expiresAt":1000604800000,"provisional":false,"evidence":{"at":1000000000000,"rank":3,"weight":1000604800000},"requests":[999999900000],"pending":null,"lastInboundAt":999999000000,"remote":null,"lastEventAt":4102444800000,"dueAt":1000604800000}', 1000604800000, '2025-03-01 12:00:00+00'),
  ('1234567890123456', '2345678901234578', 1, '{"schema":1,"state":"none","expiresAt":null,"provisional":false,"evidence":null,"requests":[1740744000000],"pending":null,"lastInboundAt":1740744000000,"remote":null,"lastEventAt":null,"dueAt":1740873600000}', 1740873600000, '2025-03-01 12:00:00+00'),
  ('1234567890123456', '2345678901234579', 2, '{"schema":1,"state":"approved","expiresAt":1741435200000.5,"provisional":false,"evidence":{"at":1740830398999.5,"rank":3,"weight":9007199254740994},"requests":[],"pending":null,"lastInboundAt":1740830397999.75,"remote":{"at":1740830398999.5,"canRequest":true,"requestLimits":[{"periodMs":86400000,"max":2,"used":1.5}],"canStartCall":true,"startCallLimits":[{"periodMs":86400000,"max":5,"used":0.25}]},"lastEventAt":1740830400000.25,"dueAt":1125899906842624}', 1125899906842624, '2025-03-01 12:00:00+00'),
  ('1234567890123456', '2345678901234580', 1, '{"schema":1,"state":"requested","expiresAt":null,"provisional":false,"evidence":null,"requests":[1740830340000],"pending":{"at":1740830340000,"messageId":"m_\ud800x","ambiguous":true,"prior":"none"},"lastInboundAt":null,"remote":null,"lastEventAt":1740830340000,"dueAt":1740830460000}', 1740830460000, '2025-03-01 12:00:00+00'),
  ('9223372036854775808', '12345678901234567890', 2, '{"schema":1,"state":"approved","expiresAt":1741262400000,"provisional":false,"evidence":{"at":1740657600000,"rank":3,"weight":1741262400000},"requests":[],"pending":null,"lastInboundAt":null,"remote":null,"lastEventAt":1740657600000,"dueAt":1741262400000}', 1741262400000, '2025-03-01 12:00:00+00'),
  ('999999999999999999', '1', 300, '{"schema":1,"state":"expired","expiresAt":1740823200000,"provisional":false,"evidence":{"at":1740052800000,"rank":4,"weight":1740823200000},"requests":[1740049200000],"pending":null,"lastInboundAt":null,"remote":{"at":1740052800000,"canRequest":true,"requestLimits":[{"periodMs":86400000,"max":2,"used":2}],"canStartCall":true,"startCallLimits":[]},"lastEventAt":1740823200000,"dueAt":null}', NULL, '2025-03-01 12:00:00+00'),
  ('page:a{b}', 'psid:é/%20 x}', 2, '{"schema":1,"state":"approved","expiresAt":null,"provisional":true,"evidence":{"at":1740829200000,"rank":2,"weight":9007199254740991},"requests":[],"pending":null,"lastInboundAt":null,"remote":null,"lastEventAt":1740829200000,"dueAt":1740829260000}', 1740829260000, '2025-03-01 12:00:00+00');

INSERT INTO "__SCHEMA__".callperm_dedupe (event_id, until) VALUES
  ('call:1234567890123456:c_corpus_connected:terminate:1740829800000::::completed:95:', 1740837540000),
  ('inbound_message:1234567890123456:2345678901234572:1740828540000:m_AbC-123', 1740835800000),
  ('permission_reply:1234567890123456:2345678901234572:1740823200000:approve:1741435200000', 1740834000000),
  ('évènement:{x}:✓ 1', 1741435200000);

INSERT INTO "__SCHEMA__".callperm_docs (kind, key, version, value, due_at, expires_at, updated_at) VALUES
  ('call', '16:1234567890123456:c_corpus_connected', 2, '{"pageId":"1234567890123456","callId":"c_corpus_connected","psid":"2345678901234581","direction":"user_initiated","connectAt":1740829680000,"acceptedAt":null,"end":{"at":1740829800000,"durationSec":95,"status":"completed"}}', NULL, 1741002601500, '2025-03-01 12:00:00+00'),
  ('call', '16:1234567890123456:c_corpus_missed', 2, '{"pageId":"1234567890123456","callId":"c_corpus_missed","psid":"2345678901234582","direction":"user_initiated","connectAt":1740829980000,"acceptedAt":null,"end":{"at":1740830000000,"durationSec":null,"status":"failed"}}', NULL, 1741002801000, '2025-03-01 12:00:00+00'),
  ('call', '16:1234567890123456:c_corpus_orphan', 1, '{"pageId":"1234567890123456","callId":"c_corpus_orphan","psid":null,"direction":null,"connectAt":null,"acceptedAt":null,"end":{"at":1740830040000,"durationSec":12,"status":"completed"}}', NULL, 1741002841500, '2025-03-01 12:00:00+00'),
  ('call', '9:page:a{b}:c_corpus_accepted', 3, '{"pageId":"page:a{b}","callId":"c_corpus_accepted","psid":"psid:é/%20 x}","direction":"business_initiated","connectAt":1740829860000,"acceptedAt":1740829864000,"end":{"at":1740829920000,"durationSec":56,"status":"completed"}}', NULL, 1741002721500, '2025-03-01 12:00:00+00'),
  ('inbox', '27b5eff77c2ced81', 1, '{"ids":["call:1234567890123456:c_corpus_inbox:connect:1740830217000:2345678901234583:user_initiated::::","implicit_grant:1234567890123456:2345678901234583:c_corpus_inbox:1740830218000:connected_call"],"events":[{"kind":"call","id":"call:1234567890123456:c_corpus_inbox:connect:1740830217000:2345678901234583:user_initiated::::","at":1740830217000,"pageId":"1234567890123456","psid":"2345678901234583","callId":"c_corpus_inbox","event":"connect","direction":"user_initiated","callStatus":null,"terminateStatus":null,"durationSec":null},{"kind":"implicit_grant","id":"implicit_grant:1234567890123456:2345678901234583:c_corpus_inbox:1740830218000:connected_call","at":1740830218000,"thread":{"pageId":"1234567890123456","psid":"2345678901234583"},"cause":"connected_call"}],"receivedAt":1740830220000}', 1740830250000, NULL, '2025-03-01 12:00:00+00'),
  ('inbox', '6a4ed1f4642a0e2b', 1, '{"ids":["permission_reply:1234567890123456:2345678901234575:1740830159000:reject:"],"events":[{"kind":"permission_reply","id":"permission_reply:1234567890123456:2345678901234575:1740830159000:reject:","at":1740830159000,"thread":{"pageId":"1234567890123456","psid":"2345678901234575"},"response":"reject","expiresAt":null}],"receivedAt":1740830160000}', 1740830190000, NULL, '2025-03-01 12:00:00+00'),
  ('inbox', '80029b94cf394715', 1, '{"ids":["inbound_message:page%3Aa%7Bb%7D:psid%3A%C3%A9%2F%2520%20x%7D:1740830275000:m_%C3%A9%E2%9C%93"],"events":[{"kind":"inbound_message","id":"inbound_message:page%3Aa%7Bb%7D:psid%3A%C3%A9%2F%2520%20x%7D:1740830275000:m_%C3%A9%E2%9C%93","at":1740830275000,"thread":{"pageId":"page:a{b}","psid":"psid:é/%20 x}"}}],"receivedAt":1740830280000}', 1740830310000, NULL, '2025-03-01 12:00:00+00'),
  ('inbox', 'fdcc3f6ac689a274', 1, '{"ids":["permission_reply:1234567890123456:2345678901234572:1740830098000:approve:1741434900000","inbound_message:1234567890123456:2345678901234572:1740830040000:m_AbC-123"],"events":[{"kind":"permission_reply","id":"permission_reply:1234567890123456:2345678901234572:1740830098000:approve:1741434900000","at":1740830098000,"thread":{"pageId":"1234567890123456","psid":"2345678901234572"},"response":"approve","expiresAt":1741434900000},{"kind":"inbound_message","id":"inbound_message:1234567890123456:2345678901234572:1740830040000:m_AbC-123","at":1740830040000,"thread":{"pageId":"1234567890123456","psid":"2345678901234572"}}],"receivedAt":1740830100000}', 1740830130000, NULL, '2025-03-01 12:00:00+00');

COMMIT;
