import { useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { Core, EdgeSingular, ElementDefinition, NodeSingular } from 'cytoscape';
import { neighborhood } from '../api/endpoints';
import type { Neighborhood, NeighborhoodNode } from '../api/types';
import { ErrorNotice } from '../components/ErrorNotice';
import { Loading } from '../components/Loading';
import { colourOf, TYPE_COLOURS } from './palette';

/** Nodes drawn at most: enough to explore, still readable (labels fade out when zoomed out). */
export const MAX_NODES = 500;
const EXPAND_LIMIT = 60;

function elementsOf(graph: Neighborhood, known: Set<string>, cap: number): ElementDefinition[] {
  const elements: ElementDefinition[] = [];
  const added = new Set<string>();
  for (const node of graph.nodes) {
    if (known.has(node.id) || known.size + added.size >= cap) continue;
    added.add(node.id);
    elements.push({
      group: 'nodes',
      data: {
        id: node.id,
        label: node.label || node.name,
        type: node.type,
        colour: colourOf(node.type),
        size: 18 + Math.min(30, Math.sqrt(node.mentions) * 6),
      },
    });
  }
  const present = (id: string) => known.has(id) || added.has(id);
  for (const edge of graph.edges) {
    if (!present(edge.source) || !present(edge.target)) continue;
    elements.push({
      group: 'edges',
      data: {
        id: edge.id,
        source: edge.source,
        target: edge.target,
        label: edge.count > 1 ? `${edge.label} (+${edge.count - 1})` : edge.label,
      },
    });
  }
  return elements;
}

/**
 * cytoscape.js prepends an inline <style> (one rule: its container is position: relative) unless
 * an element with this id exists. The Content-Security-Policy refuses inline styles, so the rule
 * lives in app.css (.graph) and an empty marker element stands in for the stylesheet.
 */
function markCytoscapeStylesheet(): void {
  const id = '__________cytoscape_stylesheet';
  if (document.getElementById(id)) return;
  const marker = document.createElement('meta');
  marker.id = id;
  document.head.appendChild(marker);
}

/**
 * The entity's neighbourhood, drawn with cytoscape.js (loaded on first use): click a node to
 * expand it, drag to pan, scroll or pinch to zoom; an edge shows its relation on hover.
 */
export function NeighborhoodGraph({ entityKey }: { entityKey: string }) {
  const container = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);
  const [nodes, setNodes] = useState<NeighborhoodNode[]>([]);
  const [edgeCount, setEdgeCount] = useState(0);
  const [hovered, setHovered] = useState('');
  const [selected, setSelected] = useState<NeighborhoodNode | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [capped, setCapped] = useState(false);
  const nodeIndex = useRef(new Map<string, NeighborhoodNode>());

  const record = useCallback((graph: Neighborhood) => {
    for (const node of graph.nodes)
      if (!nodeIndex.current.has(node.id)) nodeIndex.current.set(node.id, node);
  }, []);

  const refreshCounts = useCallback(() => {
    const instance = cy.current;
    if (!instance) return;
    setNodes(
      instance
        .nodes()
        .map((node) => nodeIndex.current.get(node.id()))
        .filter((node): node is NeighborhoodNode => !!node),
    );
    setEdgeCount(instance.edges().length);
  }, []);

  const expand = useCallback(
    async (nodeId: string) => {
      const instance = cy.current;
      if (!instance) return;
      if (instance.nodes().length >= MAX_NODES) {
        setCapped(true);
        return;
      }
      try {
        const graph = await neighborhood(nodeId, 1, EXPAND_LIMIT);
        record(graph);
        const known = new Set(instance.nodes().map((node) => node.id()));
        const fresh = elementsOf(graph, known, MAX_NODES).filter(
          (element) => !instance.getElementById(String(element.data.id)).nonempty(),
        );
        if (known.size + graph.nodes.length > MAX_NODES) setCapped(true);
        const origin = instance.getElementById(nodeId).position();
        const added = instance.add(
          fresh.map((element) =>
            element.group === 'nodes'
              ? {
                  ...element,
                  position: {
                    x: origin.x + Math.random() * 80 - 40,
                    y: origin.y + Math.random() * 80 - 40,
                  },
                }
              : element,
          ),
        );
        added
          .nodes()
          .layout({
            name: 'concentric',
            boundingBox: { x1: origin.x - 160, y1: origin.y - 160, w: 320, h: 320 },
            animate: false,
          })
          .run();
        refreshCounts();
      } catch (failure) {
        setError(failure);
      }
    },
    [record, refreshCounts],
  );

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    setError(null);
    nodeIndex.current.clear();
    void (async () => {
      try {
        const [{ default: cytoscape }, graph] = await Promise.all([
          import('cytoscape'),
          neighborhood(entityKey, 1, 200),
        ]);
        if (cancelled || !container.current) return;
        record(graph);
        cy.current?.destroy();
        markCytoscapeStylesheet();
        const instance = cytoscape({
          container: container.current,
          elements: elementsOf(graph, new Set(), MAX_NODES),
          minZoom: 0.1,
          maxZoom: 4,
          wheelSensitivity: 0.3,
          style: [
            {
              selector: 'node',
              style: {
                'background-color': 'data(colour)',
                label: 'data(label)',
                width: 'data(size)',
                height: 'data(size)',
                color: '#1b1f24',
                'font-size': 11,
                'text-valign': 'bottom',
                'text-margin-y': 4,
                'min-zoomed-font-size': 8,
                'text-outline-color': '#ffffff',
                'text-outline-width': 2,
              },
            },
            {
              selector: `node[id = ${JSON.stringify(graph.center)}]`,
              style: { 'border-width': 4, 'border-color': '#111827' },
            },
            { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#f59e0b' } },
            {
              selector: 'edge',
              style: {
                width: 1.5,
                'line-color': '#9aa3ae',
                'target-arrow-color': '#9aa3ae',
                'target-arrow-shape': 'triangle',
                'curve-style': 'bezier',
              },
            },
            {
              selector: 'edge.hovered',
              style: {
                label: 'data(label)',
                'font-size': 11,
                color: '#111827',
                'text-background-color': '#ffffff',
                'text-background-opacity': 1,
                'text-background-padding': '2px',
                width: 3,
                'line-color': '#374151',
              },
            },
          ],
          layout: { name: graph.nodes.length > 150 ? 'concentric' : 'cose', animate: false },
        });
        // A handful of nodes would be fitted to giant size: cap the zoom a fit may choose.
        instance.fit(undefined, 30);
        if (instance.zoom() > 1.3) {
          instance.zoom(1.3);
          instance.center();
        }
        instance.on('mouseover', 'edge', (event) => {
          const edge = event.target as EdgeSingular;
          edge.addClass('hovered');
          setHovered(String(edge.data('label')));
        });
        instance.on('mouseout', 'edge', (event) => {
          (event.target as EdgeSingular).removeClass('hovered');
          setHovered('');
        });
        instance.on('tap', 'node', (event) => {
          const id = (event.target as NodeSingular).id();
          setSelected(nodeIndex.current.get(id) ?? null);
          void expand(id);
        });
        cy.current = instance;
        setCapped(graph.truncated);
        refreshCounts();
      } catch (failure) {
        if (!cancelled) setError(failure);
      } finally {
        if (!cancelled) setLoading(false);
      }
    })();
    return () => {
      cancelled = true;
      cy.current?.destroy();
      cy.current = null;
    };
  }, [entityKey, expand, record, refreshCounts]);

  return (
    <section className="card graph-card" aria-labelledby="graph-heading">
      <h2 id="graph-heading">Neighbourhood</h2>
      <p className="muted small">
        Click a node to expand it; drag to pan; scroll or pinch to zoom; hover an edge to read its
        relation.
      </p>
      <ErrorNotice error={error} title="The neighbourhood could not be loaded" />
      {loading && <Loading label="Drawing the neighbourhood…" />}
      <div
        ref={container}
        className="graph"
        role="img"
        aria-label={`Graph of ${nodes.length} entities and ${edgeCount} relations around the entity`}
        data-node-count={nodes.length}
      />
      {!loading && !error && (
        <p className="small" role="status" aria-live="polite">
          {nodes.length} entities, {edgeCount} relations shown
          {capped && ` (capped at ${MAX_NODES}; some were left out)`}
          {hovered && (
            <>
              {' '}
              · relation: <strong>{hovered}</strong>
            </>
          )}
        </p>
      )}
      {selected && (
        <p className="small">
          Selected:{' '}
          <Link to={`/app/entities/${encodeURIComponent(selected.key)}`}>{selected.name}</Link> (
          {selected.type})
        </p>
      )}
      <ul className="legend small" aria-label="Colours by type">
        {Object.entries(TYPE_COLOURS).map(([type, colour]) => (
          <li key={type}>
            <span className="swatch" style={{ backgroundColor: colour }} aria-hidden="true" />
            {type}
          </li>
        ))}
      </ul>
      <details>
        <summary>Entities in the graph ({nodes.length})</summary>
        <ul className="node-list">
          {nodes.map((node) => (
            <li key={node.id}>
              <Link to={`/app/entities/${encodeURIComponent(node.key)}`}>{node.name}</Link>{' '}
              <span className="muted small">{node.type}</span>{' '}
              <button type="button" className="link small" onClick={() => void expand(node.id)}>
                Expand
              </button>
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}
