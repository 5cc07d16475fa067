/**
 * E-mail attachments (issue 33). Each attachment of a message that Cairn can read becomes a
 * document of its own; this table links it to the message, in the message's order. An
 * attachment that could not be taken (unsupported, hostile, too large) is a row with the reason
 * and no document. Documents are content-addressed, so one attachment may already exist (sent
 * before, or uploaded): `created_by_message` says whether this message brought it in, and only
 * such documents are deleted with the message.
 */
export const documentAttachments = `
CREATE TABLE document_attachments (
  workspace_id       text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  message_id         uuid NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  position           integer NOT NULL CHECK (position >= 0),
  file_name          text NOT NULL,
  document_id        uuid REFERENCES documents(id) ON DELETE CASCADE,
  created_by_message boolean NOT NULL DEFAULT false,
  rejected_reason    text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, message_id, position),
  CHECK ((document_id IS NULL) <> (rejected_reason IS NULL))
);
CREATE INDEX document_attachments_document_idx ON document_attachments (workspace_id, document_id)
  WHERE document_id IS NOT NULL;

ALTER TABLE document_attachments ENABLE ROW LEVEL SECURITY;
ALTER TABLE document_attachments FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON document_attachments
  USING (workspace_id = current_setting('cairn.workspace_id', true))
  WITH CHECK (workspace_id = current_setting('cairn.workspace_id', true));
`;
