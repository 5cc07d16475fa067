import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { currentWorkspace, listWorkspaces } from '../api/endpoints';
import { type Role, roleAtLeast, type Workspace } from '../api/types';
import type { Session } from '../auth/session';
import { currentWorkspaceId, setCurrentWorkspaceId } from './current';

export interface WorkspaceState {
  session: Session;
  /** The caller's workspaces (an API key: its own one only). */
  workspaces: Workspace[];
  current: Workspace | null;
  loading: boolean;
  error: unknown;
  select: (workspaceId: string) => void;
  refresh: (selectId?: string) => Promise<void>;
  /** Whether the caller's role in the current workspace allows what needs `minimum`. */
  can: (minimum: Role) => boolean;
}

const WorkspaceContext = createContext<WorkspaceState | null>(null);

export function WorkspaceProvider({
  session,
  children,
}: {
  session: Session;
  children: ReactNode;
}) {
  const [workspaces, setWorkspaces] = useState<Workspace[]>([]);
  const [currentId, setCurrentId] = useState<string | null>(currentWorkspaceId());
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);

  const select = useCallback((workspaceId: string) => {
    setCurrentWorkspaceId(workspaceId);
    setCurrentId(workspaceId);
  }, []);

  const refresh = useCallback(
    async (selectId?: string) => {
      try {
        if (session.kind === 'apiKey') {
          // An API key acts in its own workspace only, with its own role.
          const own = await currentWorkspace();
          const membership = {
            workspaceId: own.workspaceId,
            name: own.name,
            role: own.role,
            createdAt: '',
          };
          setCurrentWorkspaceId(own.workspaceId);
          setWorkspaces([membership]);
          setCurrentId(own.workspaceId);
          setError(null);
          return;
        }
        const { items } = await listWorkspaces();
        setWorkspaces(items);
        setError(null);
        const wanted = selectId ?? currentWorkspaceId();
        const chosen = items.find((item) => item.workspaceId === wanted) ?? items[0];
        setCurrentWorkspaceId(chosen?.workspaceId ?? null);
        setCurrentId(chosen?.workspaceId ?? null);
      } catch (failure) {
        setError(failure);
      } finally {
        setLoading(false);
      }
    },
    [session.kind],
  );

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const current = workspaces.find((item) => item.workspaceId === currentId) ?? null;
  const can = useCallback((minimum: Role) => roleAtLeast(current?.role, minimum), [current?.role]);

  return (
    <WorkspaceContext.Provider
      value={{ session, workspaces, current, loading, error, select, refresh, can }}
    >
      {children}
    </WorkspaceContext.Provider>
  );
}

export function useWorkspace(): WorkspaceState {
  const state = useContext(WorkspaceContext);
  if (!state) throw new Error('useWorkspace needs a WorkspaceProvider');
  return state;
}
