const tones: Record<string, string> = {
  indexed: 'ok',
  active: 'ok',
  completed: 'ok',
  ok: 'ok',
  failed: 'bad',
  down: 'bad',
  rejected: 'bad',
  expired: 'bad',
  completed_with_errors: 'warn',
  awaiting_review: 'warn',
  deleting: 'muted',
  archived: 'muted',
  approve: 'ok',
  reject: 'bad',
  request_changes: 'warn',
};

/** A status in words (never colour alone) with a tone for quick scanning. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-${tones[status] ?? 'busy'}`} data-status={status}>
      {status.replace(/_/g, ' ')}
    </span>
  );
}
