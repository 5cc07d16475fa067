import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { takeSessionFromFragment } from './auth/session';
import './styles/app.css';

// A sign-in link's token is taken from the address bar before anything renders.
takeSessionFromFragment();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
