import { useEffect, useState } from 'react';
import { operatorStatus } from '../api/endpoints';
import { useSession } from '../auth/useSession';

// One answer per credential: every page that asks shares it.
let asked: { credential: string; answer: Promise<boolean> } | null = null;

/**
 * Whether the signed-in person is an operator (CAIRN_OPERATOR_USER_IDS): null while unknown.
 * The console shows alerts and traces only to them; the API enforces the same.
 */
export function useOperator(): boolean | null {
  const session = useSession();
  const credential = session?.kind === 'token' ? session.credential : null;
  const [operator, setOperator] = useState<boolean | null>(null);

  useEffect(() => {
    if (!credential) {
      setOperator(false);
      return;
    }
    if (asked?.credential !== credential) {
      asked = {
        credential,
        answer: operatorStatus().then(
          (status) => status.operator,
          () => false,
        ),
      };
    }
    let current = true;
    void asked.answer.then((value) => {
      if (current) setOperator(value);
    });
    return () => {
      current = false;
    };
  }, [credential]);

  return operator;
}
