import { useState } from 'react';
import { useNavigate } from 'react-router';

const TRACE_ID = /^[0-9a-f]{32}$/i;

/** Opens a trace by its id (an X-Trace-Id header, a log line's traceId). */
export function TraceLookup() {
  const navigate = useNavigate();
  const [traceId, setTraceId] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        const id = traceId.trim();
        if (!TRACE_ID.test(id)) {
          setProblem('A trace id is 32 hexadecimal digits (the X-Trace-Id header).');
          return;
        }
        void navigate(`/app/trace/${id.toLowerCase()}`);
      }}
    >
      <label htmlFor="trace-id">Trace id</label>
      <input
        id="trace-id"
        value={traceId}
        onChange={(event) => {
          setTraceId(event.target.value);
          setProblem(null);
        }}
        placeholder="X-Trace-Id"
        aria-describedby={problem ? 'trace-id-problem' : undefined}
        aria-invalid={problem !== null}
      />
      <button type="submit">Open trace</button>
      {problem && (
        <p id="trace-id-problem" className="field-error small">
          {problem}
        </p>
      )}
    </form>
  );
}
