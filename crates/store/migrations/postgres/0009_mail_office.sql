-- A message recorded as office work: the invoice it became. A message becomes
-- at most one invoice; the invoice outlives the message's archiving.
ALTER TABLE mail_messages ADD COLUMN invoice_id TEXT REFERENCES invoices(id);
CREATE INDEX mail_messages_invoice ON mail_messages(invoice_id);
