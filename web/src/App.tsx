import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { useSession } from './auth/useSession';
import { Shell } from './layout/Shell';
import { DocumentPage } from './pages/DocumentPage';
import { DocumentsPage } from './pages/DocumentsPage';
import { DomainCreatePage } from './pages/DomainCreatePage';
import { DomainPage } from './pages/DomainPage';
import { DomainsPage } from './pages/DomainsPage';
import { EntitiesPage } from './pages/EntitiesPage';
import { EntityPage } from './pages/EntityPage';
import { ImportsPage } from './pages/ImportsPage';
import { OperatorsPage } from './pages/OperatorsPage';
import { RunbookPage } from './pages/RunbookPage';
import { SearchPage } from './pages/SearchPage';
import { SignInPage } from './pages/SignInPage';
import { TracePage } from './pages/TracePage';
import { WorkspaceCreatePage } from './pages/WorkspaceCreatePage';
import { WorkspaceSettingsPage } from './pages/WorkspaceSettingsPage';
import { WorkspaceProvider } from './workspace/WorkspaceContext';

function SignedIn() {
  const session = useSession();
  const location = useLocation();
  if (!session) {
    return <Navigate to="/app/sign-in" replace state={{ from: location.pathname }} />;
  }
  return (
    <WorkspaceProvider session={session}>
      <Shell />
    </WorkspaceProvider>
  );
}

function Home() {
  const session = useSession();
  return <Navigate to={session ? '/app/documents' : '/app/sign-in'} replace />;
}

export function App() {
  return (
    <BrowserRouter>
      <Routes>
        <Route path="/app/sign-in" element={<SignInPage />} />
        <Route path="/app" element={<SignedIn />}>
          <Route index element={<Navigate to="/app/documents" replace />} />
          <Route path="documents" element={<DocumentsPage />} />
          <Route path="documents/:documentId" element={<DocumentPage />} />
          <Route path="imports" element={<ImportsPage />} />
          <Route path="search" element={<SearchPage />} />
          <Route path="entities" element={<EntitiesPage />} />
          <Route path="entities/:entityKey" element={<EntityPage />} />
          <Route path="domains" element={<DomainsPage />} />
          <Route path="domains/new" element={<DomainCreatePage />} />
          <Route path="domains/:domainId" element={<DomainPage />} />
          <Route path="workspaces/new" element={<WorkspaceCreatePage />} />
          <Route path="workspace" element={<WorkspaceSettingsPage />} />
          <Route path="operators" element={<OperatorsPage />} />
          <Route path="trace/:traceId" element={<TracePage />} />
          <Route path="runbooks/:anchor" element={<RunbookPage />} />
          <Route path="*" element={<Navigate to="/app/documents" replace />} />
        </Route>
        <Route path="*" element={<Home />} />
      </Routes>
    </BrowserRouter>
  );
}
